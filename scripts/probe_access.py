"""A black-box probe of a running Linli (the demo), from outside the code: it only speaks HTTP
with the demo logins, as an attacker or an auditor would.

    .venv/bin/python scripts/probe_access.py [--base http://127.0.0.1:8000] [--sample 40]

It tries to
1. rebuild full ID numbers from what masked roles see (staff reveal the true numbers of a
   sample first — audited — so a rebuild can be recognised in any date format),
2. use whole-number search as an oracle (past the hourly limit),
3. find open or rejected appeals in Open311,
4. make the server fail (5xx) with bad parameters,
5. get another user's appeal back through an Idempotency-Key,
6. dispatch across communities,
and prints one line per check; the exit status is the number of checks that found something.
"""

from __future__ import annotations

import argparse
import re
import sys
import uuid

import requests

PASSWORD = "linli-demo-2026"


class Session:
    def __init__(self, base: str, username: str | None):
        self.base = base.rstrip("/")
        self.http = requests.Session()
        if username:
            page = self.http.get(f"{self.base}/login/")
            token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1)
            r = self.http.post(
                f"{self.base}/login/",
                data={"username": username, "password": PASSWORD, "csrfmiddlewaretoken": token},
                headers={"Referer": f"{self.base}/login/"},
                allow_redirects=False,
            )
            if r.status_code != 302:
                raise SystemExit(f"cannot log in as {username}: {r.status_code}")

    def _csrf(self) -> dict:
        return {"X-CSRFToken": self.http.cookies.get("csrftoken", ""), "Referer": f"{self.base}/"}

    def get(self, path, **kw):
        return self.http.get(f"{self.base}{path}", allow_redirects=False, **kw)

    def post_json(self, path, body, **headers):
        return self.http.post(f"{self.base}{path}", json=body, headers={**self._csrf(), **headers}, allow_redirects=False)


def date_forms(digits8: str) -> list[str]:
    y, m, d = digits8[:4], digits8[4:6], digits8[6:]
    return [digits8, f"{y}-{m}-{d}", f"{y}/{m}/{d}", f"{y}年{int(m)}月{int(d)}日", f"{y}-{int(m)}-{int(d)}", f"{y}.{m}.{d}"]


def check_rebuild(base, sample) -> int:
    staff = Session(base, "staff")
    truth: dict[int, str] = {}
    rebuilt = checked = 0
    for role in ("buildinghead", "gridworker", "gridleader", "street"):
        s = Session(base, role)
        ids = [r["id"] for r in s.get("/api/registry/residents/").json()["results"]][:sample]
        for rid in ids:
            if rid not in truth:
                r = staff.post_json(f"/api/registry/residents/{rid}/reveal/", {"field": "id_number"})
                truth[rid] = r.json()["value"] if r.status_code == 200 else ""
            number = truth[rid]
            if not number:
                continue
            for path in (
                f"/api/registry/residents/{rid}/",
                f"/registry/residents/{rid}/",
                f"/registry/households/{s.get(f'/api/registry/residents/{rid}/').json()['household_id']}/",
            ):
                r = s.get(path)
                if r.status_code != 200:
                    continue
                checked += 1
                if number in r.text or any(form in r.text for form in date_forms(number[6:14])):
                    rebuilt += 1
                    print(f"  rebuilt: {role} {path}")
    print(f"1. ID numbers rebuilt from masked views: {rebuilt} ({checked} views of {len(truth)} residents by 4 masked roles)")
    return int(rebuilt > 0)


def check_oracle(base) -> int:
    s = Session(base, "buildinghead")
    codes = [s.get("/api/registry/residents/", params={"q": f"1390000{i:04d}"}).status_code for i in range(40)]
    answered = sum(1 for c in codes if c == 200)
    print(f"2. whole-number searches answered in one hour: {answered} of 40 (then {codes[-1]})")
    return int(answered > 30)


def check_open311(base) -> int:
    staff = Session(base, "staff")
    hidden = set()
    for status in ("rejected", "submitted", "accepted", "dispatched", "in_progress", "returned", "escalated", "reopened", "merged"):
        page = 1
        while True:
            r = staff.get("/api/appeals/", params={"status": status, "page": page}).json()
            hidden |= {a["number"] for a in r["results"]}
            if not r.get("next"):
                break
            page += 1
    anon = Session(base, None)
    shown = {x["service_request_id"] for x in anon.get("/open311/v2/requests.json", params={"start_date": "2000-01-01"}).json()}
    leaked = shown & hidden
    for number in list(hidden)[:20]:
        if anon.get(f"/open311/v2/requests/{number}.json").status_code == 200:
            leaked.add(number)
    print(
        f"3. open, rejected or merged appeals in Open311: {len(leaked)} (of {len(hidden)} such appeals; {len(shown)} public requests listed)"
    )
    return int(bool(leaked))


BAD = [
    "/registry/residents/?q=%00",
    "/api/registry/residents/?q=%00",
    "/api/registry/residents/?grid=abc",
    "/api/registry/places/?parent=-1",
    "/api/appeals/?q=%00",
    "/api/appeals/?status=%00",
    "/api/appeals/categories/?community=abc",
    "/api/wishes/?community=%00",
    "/appeals/?q=%00&page=abc",
    "/appeals/report/?place=abc",
    "/appeals/report/?place=99999999999999999999",
    "/appeals/99999999999999999999999/",
    "/api/appeals/99999999999999999999/",
    "/open311/v2/requests.json?service_code=%00",
    "/open311/v2/requests.json?jurisdiction_id=%00",
    "/open311/v2/requests.json?start_date=2026-13-45",
    "/open311/v2/requests/%00.json",
    "/wishes/post/?resident=abc",
    "/councils/abc/",
]


def check_errors(base) -> int:
    s = Session(base, "staff")
    fives = [(p, s.get(p).status_code) for p in BAD]
    posts = [
        ("/api/appeals/", {"place_id": "x", "description": "\x00"}),
        ("/api/appeals/", {"place_id": 10**30, "description": "路灯"}),
        ("/api/registry/residents/", {"household_id": "abc"}),
    ]
    fives += [(p, s.post_json(p, b).status_code) for p, b in posts]
    long_key = s.post_json("/api/appeals/", {"place_id": 1, "description": "x"}, **{"Idempotency-Key": "k" * 200}).status_code
    fives.append(("Idempotency-Key×200", long_key))
    bad = [(p, c) for p, c in fives if c >= 500]
    for p, c in bad:
        print(f"  {c} {p}")
    print(f"4. server errors on {len(fives)} bad requests: {len(bad)}")
    return int(bool(bad))


def check_idempotency(base) -> int:
    key = uuid.uuid4().hex
    a, b = Session(base, "resident"), Session(base, "buildinghead")
    place = a.get("/api/registry/places/").status_code  # residents see no places: pick from the demo's own appeals
    mine = a.get("/api/appeals/").json()["results"]
    place_id = mine[0]["place_id"] if mine else None
    if place_id is None:
        print("5. (skipped: the resident has no appeal to take a place from)")
        return 0
    first = a.post_json("/api/appeals/", {"place_id": place_id, "description": "探测：路灯坏了"}, **{"Idempotency-Key": key})
    second = b.post_json("/api/appeals/", {"place_id": place_id, "description": "探测：另一件事"}, **{"Idempotency-Key": key})
    same = first.status_code in (200, 201) and second.status_code in (200, 201) and first.json()["id"] == second.json()["id"]
    print(
        f"5. another user's appeal returned by the same Idempotency-Key: {'yes' if same else 'no'} ({first.status_code}, {second.status_code}; place probe {place})"
    )
    return int(same)


def _user_id(admin: Session, username: str) -> int | None:
    page = admin.get("/admin/accounts/user/", params={"q": username}).text
    match = re.search(r'/admin/accounts/user/(\d+)/change/[^"]*">' + re.escape(username) + "<", page)
    return int(match.group(1)) if match else None


def check_dispatch(base) -> int:
    staff, far, admin = Session(base, "staff"), Session(base, "xinqiao"), Session(base, "admin")
    appeals = staff.get("/api/appeals/", params={"status": "accepted"}).json()["results"]
    if not appeals:
        print("6. (skipped: no accepted appeal in the demo)")
        return 0
    a = appeals[0]["id"]
    accepted = 0
    # The other community's staff act on this community's appeal.
    r = far.post_json(f"/api/appeals/{a}/dispatch/", {"user_ids": [_user_id(admin, "xinqiao")]})
    accepted += r.status_code == 200
    # This community's staff send it to the other community's staff, or to a resident.
    for username in ("xinqiao", "resident", "partner"):
        uid = _user_id(admin, username)
        r = staff.post_json(f"/api/appeals/{a}/dispatch/", {"user_ids": [uid]})
        accepted += r.status_code == 200
    print(f"6. dispatches outside the appeal's handlers accepted: {accepted} of 4 tries")
    return accepted


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--base", default="http://127.0.0.1:8000")
    parser.add_argument("--sample", type=int, default=40)
    args = parser.parse_args()
    found = 0
    found += check_rebuild(args.base, args.sample)
    found += check_oracle(args.base)
    found += check_open311(args.base)
    found += check_errors(args.base)
    found += check_idempotency(args.base)
    found += check_dispatch(args.base)
    print(f"checks that found something: {found}")
    return found


if __name__ == "__main__":
    sys.exit(main())
