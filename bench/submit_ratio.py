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
import subprocess
import sys
import tempfile
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _serve import bench_env, free_port, gunicorn, login, seed_demo, stop, wait_for

PG = os.environ.get("BENCH_PG", "postgres://postgres@127.0.0.1:5432")


def psql(db: str, *sql: str) -> None:
    for statement in sql:
        subprocess.run(["psql", "-q", f"{PG}/{db}", "-c", statement], check=True, capture_output=True)


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
    env = bench_env(database_url=f"{PG}/{db}", data_dir=tmp, workers=args.workers)
    print("migrating and seeding the demo …", flush=True)
    place = seed_demo(env)
    psql(
        db,
        "CREATE TABLE floor_row (id bigserial PRIMARY KEY, body text NOT NULL, created_at timestamptz NOT NULL)",
        "INSERT INTO floor_row (body, created_at) VALUES ('楼道灯不亮', now())",
    )
    floor_port, linli_port = free_port(), free_port()
    procs = [
        gunicorn("bench.floor.wsgi", {**env, "DJANGO_SETTINGS_MODULE": "bench.floor.settings"}, floor_port),
        gunicorn("linli.wsgi", env, linli_port),
    ]
    try:
        floor, linli = f"http://127.0.0.1:{floor_port}", f"http://127.0.0.1:{linli_port}"
        wait_for(f"{floor}/select/"), wait_for(f"{linli}/healthz")
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
            # Linli's middleware stack around a SELECT 1, signed in: how much of the gap is the stack.
            ("Linli stack   GET /healthz", f"{linli}/healthz", lua(tmp, "GET", {"Cookie": cookie(staff)})),
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
        stack = results["Linli stack   GET /healthz"] / results["floor SELECT  GET /select/"]
        print(f"Linli's stack alone / SELECT floor: {stack:.1%}")
    finally:
        stop(*procs)
        shutil.rmtree(tmp, ignore_errors=True)
        psql("postgres", f"DROP DATABASE IF EXISTS {db} WITH (FORCE)")


if __name__ == "__main__":
    main()
