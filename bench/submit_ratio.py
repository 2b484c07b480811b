"""Linli's main write and main read against the floor of this machine, in one run.

The floor (bench/floor/) is a Django view that does one INSERT (or one SELECT) on PostgreSQL
with no middleware and no session. Linli's appeal-submit API (a resident's phone, session,
CSRF, Idempotency-Key) and the staff appeal list API (a page of 50) are served next to it by
gunicorn with the same settings (deploy/gunicorn.conf.py), on the same database, loaded by wrk
from another process. Targets (issue 14): submit ≥ 25 % of the INSERT floor, list ≥ 40 % of the
SELECT floor.

    .venv/bin/python bench/submit_ratio.py [--duration 15] [--connections 16] [--workers 4]
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parents[1]
PY = str(ROOT / ".venv" / "bin" / "python")
PG = os.environ.get("BENCH_PG", "postgres://postgres@127.0.0.1:5432")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def psql(db: str, *sql: str) -> None:
    for statement in sql:
        subprocess.run(["psql", "-q", f"{PG}/{db}", "-c", statement], check=True, capture_output=True)


def serve(module: str, env: dict, port: int) -> subprocess.Popen:
    return subprocess.Popen(
        [str(ROOT / ".venv" / "bin" / "gunicorn"), module, "--config", "deploy/gunicorn.conf.py", "--access-logfile", "/dev/null"],
        cwd=ROOT,
        env={**env, "LINLI_BIND": f"127.0.0.1:{port}"},
        start_new_session=True,
    )


def wait(url: str) -> None:
    for _ in range(150):
        try:
            requests.get(url, timeout=2)
            return
        except requests.RequestException:
            time.sleep(0.2)
    sys.exit(f"{url} did not answer")


def login(base: str, username: str) -> requests.Session:
    s = requests.Session()
    s.get(f"{base}/login/", timeout=10)
    r = s.post(
        f"{base}/login/",
        data={"username": username, "password": "linli-demo-2026", "csrfmiddlewaretoken": s.cookies["csrftoken"]},
        headers={"Referer": f"{base}/login/"},
        timeout=10,
        allow_redirects=False,
    )
    assert r.status_code == 302 and "sessionid" in s.cookies, f"login as {username} failed"
    return s


def lua(tmp: Path, method: str, headers: dict[str, str], body: str | None = None, unique_key: bool = False) -> Path:
    lines = [
        "local n = 0",
        "local tid = 0",
        "local count = 0",
        "function setup(thread) count = count + 1; thread:set('tid', count) end",
        "request = function()",
        "  n = n + 1",
        "  local h = {}",
    ]
    lines += [f"  h[{k!r}] = {v!r}" for k, v in headers.items()]
    if unique_key:
        lines.append(f"  h['Idempotency-Key'] = '{uuid.uuid4().hex[:12]}-' .. tid .. '-' .. n")
    lines.append(f"  return wrk.format({method!r}, nil, h, {body!r})" if body else f"  return wrk.format({method!r}, nil, h)")
    lines.append("end")
    path = tmp / f"{uuid.uuid4().hex}.lua"
    path.write_text("\n".join(lines) + "\n")
    return path


def wrk(url: str, script: Path | None, duration: int, connections: int) -> tuple[float, int, str]:
    cmd = ["wrk", "-t2", f"-c{connections}", f"-d{duration}s", "--latency"] + (["-s", str(script)] if script else []) + [url]
    out = subprocess.run(cmd, capture_output=True, text=True, check=True).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    bad = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    p99 = re.search(r"99%\s+(\S+)", out).group(1)
    return rps, int(bad.group(1)) if bad else 0, p99


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--duration", type=int, default=15)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--workers", type=int, default=4)
    args = parser.parse_args()
    if not shutil.which("wrk"):
        sys.exit("needs wrk (apt-get install wrk)")
    db = "linli_ratio"
    psql("postgres", f"DROP DATABASE IF EXISTS {db} WITH (FORCE)", f"CREATE DATABASE {db}")
    tmp = Path(tempfile.mkdtemp(prefix="linli-ratio-"))
    env = {k: v for k, v in os.environ.items() if not k.startswith(("LINLI_", "DJANGO_", "DATABASE_URL", "DB_"))}
    env.update(
        DJANGO_SECRET_KEY="bench-" + uuid.uuid4().hex,
        DATABASE_URL=f"{PG}/{db}",
        DB_PERSISTENT="true",
        LINLI_DATA_DIR=str(tmp),
        LINLI_WEB_WORKERS=str(args.workers),
        LINLI_LOG_LEVEL="WARNING",
        DJANGO_ALLOWED_HOSTS="127.0.0.1",
    )
    print("migrating and seeding the demo …", flush=True)
    subprocess.run([PY, "manage.py", "migrate", "-v", "0"], cwd=ROOT, env=env, check=True)
    subprocess.run([PY, "manage.py", "seed_demo"], cwd=ROOT, env=env, check=True, capture_output=True)
    psql(
        db,
        "CREATE TABLE floor_row (id bigserial PRIMARY KEY, body text NOT NULL, created_at timestamptz NOT NULL)",
        "INSERT INTO floor_row (body, created_at) VALUES ('楼道灯不亮', now())",
    )
    place = subprocess.run(
        [
            PY,
            "manage.py",
            "shell",
            "-v",
            "0",
            "-c",
            "from linli.accounts.models import User; print(User.objects.get(username='resident').resident.household.dwelling_id)",
        ],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()
    floor_port, linli_port = free_port(), free_port()
    procs = [
        serve("bench.floor.wsgi", {**env, "DJANGO_SETTINGS_MODULE": "bench.floor.settings"}, floor_port),
        serve("linli.wsgi", env, linli_port),
    ]
    try:
        floor, linli = f"http://127.0.0.1:{floor_port}", f"http://127.0.0.1:{linli_port}"
        wait(f"{floor}/select/"), wait(f"{linli}/healthz")
        resident, staff = login(linli, "resident"), login(linli, "staff")
        body = json.dumps({"place_id": int(place), "description": "楼道灯不亮，晚上看不见，请尽快维修"}, ensure_ascii=False)
        cookie = lambda s: "; ".join(f"{k}={v}" for k, v in s.cookies.items())  # noqa: E731
        post = {
            "Content-Type": "application/json",
            "Cookie": cookie(resident),
            "X-CSRFToken": resident.cookies["csrftoken"],
            "Referer": f"{linli}/",
        }
        probe = resident.post(
            f"{linli}/api/appeals/", data=body.encode(), headers={**post, "Idempotency-Key": uuid.uuid4().hex}, timeout=10
        )
        assert probe.status_code == 201, probe.text
        listing = staff.get(f"{linli}/api/appeals/", timeout=10).json()
        print(f"the staff list answers {len(listing['results'])} of {listing['count']} appeals per page", flush=True)
        runs = [
            ("floor INSERT  POST /insert/", f"{floor}/insert/", lua(tmp, "POST", {"Content-Type": "application/json"}, body)),
            ("Linli submit  POST /api/appeals/", f"{linli}/api/appeals/", lua(tmp, "POST", post, body, unique_key=True)),
            ("floor SELECT  GET /select/", f"{floor}/select/?id=1", None),
            ("Linli list    GET /api/appeals/", f"{linli}/api/appeals/", lua(tmp, "GET", {"Cookie": cookie(staff)})),
        ]
        results = {}
        for name, url, script in runs:
            rps, bad, p99 = wrk(url, script, args.duration, args.connections)
            results[name] = rps
            print(f"{name:36} {rps:8.1f} req/s   p99 {p99:>8}   non-2xx {bad}", flush=True)
        submit = results["Linli submit  POST /api/appeals/"] / results["floor INSERT  POST /insert/"]
        listed = results["Linli list    GET /api/appeals/"] / results["floor SELECT  GET /select/"]
        print(f"submit / INSERT floor: {submit:.1%} (target ≥ 25 %)")
        print(f"list / SELECT floor:   {listed:.1%} (target ≥ 40 %)")
    finally:
        for p in procs:
            os.killpg(p.pid, signal.SIGTERM)
        for p in procs:
            p.wait(timeout=20)
        shutil.rmtree(tmp, ignore_errors=True)
        psql("postgres", f"DROP DATABASE IF EXISTS {db} WITH (FORCE)")


if __name__ == "__main__":
    main()
