"""PostgreSQL restarts under load: requests fail fast with a 503 while it is down, Linli recovers
without a restart, and every appeal acknowledged with a 201 is in the database afterwards.

The script creates its own PostgreSQL cluster on another port (initdb as the postgres user,
trust auth, a socket in a temporary folder), migrates and seeds the demo into it, serves Linli
with gunicorn (deploy/gunicorn.conf.py, persistent connections with health checks), and then:
residents' phones submit appeals from several threads; after a while the cluster is restarted
(``pg_ctl restart -m fast``, which drops every connection); the load goes on; finally every
acknowledged appeal number is looked up.

    .venv/bin/python bench/pg_restart.py [--threads 8] [--before 8] [--after 12] [--down 3]
"""

from __future__ import annotations

import argparse
import glob
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections import Counter
from pathlib import Path

import requests

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _serve import bench_env, free_port, gunicorn, login, seed_demo, shell, stop, wait_for


def pg_bin(name: str) -> str:
    found = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"))
    if not found:
        sys.exit(f"{name} not found: install PostgreSQL's server package")
    return found[-1]


def as_postgres(cmd: list[str]) -> list[str]:
    return ["runuser", "-u", "postgres", "--", *cmd] if os.geteuid() == 0 else cmd


class Cluster:
    def __init__(self, folder: Path, port: int):
        self.folder, self.port = folder, port
        self.data = folder / "pgdata"

    def init(self) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        if os.geteuid() == 0:
            shutil.chown(self.folder, "postgres", "postgres")
        subprocess.run(
            as_postgres([pg_bin("initdb"), "-D", str(self.data), "--auth=trust", "-U", "postgres", "-E", "UTF8"]),
            check=True,
            capture_output=True,
        )

    def ctl(self, *args: str) -> None:
        options = f"-p {self.port} -k {self.folder} -c listen_addresses=127.0.0.1 -c fsync=off"
        subprocess.run(
            as_postgres([pg_bin("pg_ctl"), "-D", str(self.data), "-o", options, "-l", str(self.folder / "pg.log"), "-w", *args]),
            check=True,
            capture_output=True,
        )

    def url(self, db: str) -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/{db}"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--threads", type=int, default=8)
    parser.add_argument("--before", type=float, default=8, help="seconds of load before the restart")
    parser.add_argument("--down", type=float, default=3, help="seconds PostgreSQL stays stopped")
    parser.add_argument("--after", type=float, default=12, help="seconds of load after it is back")
    args = parser.parse_args()

    work = Path(tempfile.mkdtemp(prefix="linli-pgrestart-"))
    os.chmod(work, 0o755)
    cluster = Cluster(work / "pg", free_port())
    cluster.init()
    cluster.ctl("start")
    web = None
    try:
        subprocess.run(as_postgres([pg_bin("createdb"), "-h", "127.0.0.1", "-p", str(cluster.port), "-U", "postgres", "linli"]), check=True)
        port = free_port()
        env = bench_env(database_url=cluster.url("linli"), data_dir=work / "data")
        print("seeding the demo into a cluster on port", cluster.port, flush=True)
        place = seed_demo(env)
        web = gunicorn("linli.wsgi", env, port)
        base = f"http://127.0.0.1:{port}"
        wait_for(f"{base}/healthz")

        results: list[tuple[float, int, str | None, float]] = []  # (start, status, number, seconds)
        lock = threading.Lock()
        finished = threading.Event()

        def phone() -> None:
            s = login(base, "resident")
            while not finished.is_set():
                started = time.monotonic()
                try:
                    r = s.post(
                        f"{base}/api/appeals/",
                        json={"place_id": int(place), "description": f"楼道灯不亮，请维修 {uuid.uuid4().hex[:8]}"},
                        headers={"X-CSRFToken": s.cookies.get("csrftoken", ""), "Referer": f"{base}/", "Idempotency-Key": uuid.uuid4().hex},
                        timeout=30,
                    )
                    status, number = r.status_code, (r.json().get("number") if r.status_code == 201 else None)
                except requests.RequestException:
                    status, number = 0, None  # no answer at all
                with lock:
                    results.append((started, status, number, time.monotonic() - started))

        threads = [threading.Thread(target=phone) for _ in range(args.threads)]
        t0 = time.monotonic()
        for t in threads:
            t.start()
        time.sleep(args.before)
        down_at = time.monotonic()
        cluster.ctl("stop", "-m", "fast")
        time.sleep(args.down)
        cluster.ctl("start")
        up_at = time.monotonic()
        time.sleep(args.after)
        finished.set()
        for t in threads:
            t.join()

        acknowledged = [n for _s, status, n, _d in results if status == 201]
        stored = int(
            shell(env, f"from linli.appeals.models import Appeal; print(Appeal.objects.filter(number__in={acknowledged!r}).count())")
        )
        statuses = Counter(status for _s, status, _n, _d in results)
        during = [d for s, status, _n, d in results if down_at <= s <= up_at]
        first_ok_after = min((s + d for s, status, _n, d in results if status == 201 and s >= up_at), default=None)
        print(
            f"requests: {len(results)} in {time.monotonic() - t0:.1f} s with {args.threads} phones; statuses: {dict(sorted(statuses.items()))}"
        )
        print(f"PostgreSQL down {up_at - down_at:.1f} s: {len(during)} requests then, slowest answer {max(during, default=0):.2f} s")
        if first_ok_after is not None:
            print(f"first 201 after PostgreSQL was back: {first_ok_after - up_at:.2f} s later (no Linli restart)")
        print(f"acknowledged (201): {len(acknowledged)} · stored: {stored} · lost: {len(acknowledged) - stored}")
        print(
            f"server errors other than 503: {sum(v for k, v in statuses.items() if k >= 500 and k != 503)} · no answer: {statuses.get(0, 0)}"
        )
        if stored != len(acknowledged) or any(k >= 500 and k != 503 for k in statuses):
            sys.exit(1)
    finally:
        if web:
            stop(web)
        try:
            cluster.ctl("stop", "-m", "immediate")
        except subprocess.CalledProcessError:
            pass
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
