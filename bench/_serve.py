"""What the serving benches share: a clean environment, the demo seeded into a database, gunicorn
with the production settings (deploy/gunicorn.conf.py) on a free port, a signed-in phone."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import uuid
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parents[1]
PY = str(ROOT / ".venv" / "bin" / "python")
PASSWORD = "linli-demo-2026"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def bench_env(*, database_url: str, data_dir: Path, workers: int = 4) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("LINLI_", "DJANGO_", "DATABASE_URL", "DB_"))}
    env.update(
        DJANGO_SECRET_KEY="bench-" + uuid.uuid4().hex,
        DATABASE_URL=database_url,
        DB_PERSISTENT="true",
        LINLI_DATA_DIR=str(data_dir),
        LINLI_WEB_WORKERS=str(workers),
        LINLI_LOG_LEVEL="WARNING",
        DJANGO_ALLOWED_HOSTS="127.0.0.1",
    )
    return env


def manage(env: dict, *args: str) -> str:
    return subprocess.run([PY, "manage.py", *args], cwd=ROOT, env=env, check=True, capture_output=True, text=True).stdout.strip()


def seed_demo(env: dict) -> int:
    """Migrate, seed the demo; the dwelling of the demo resident (where the phones report)."""
    manage(env, "migrate", "-v", "0")
    manage(env, "seed_demo")
    return int(
        shell(env, "from linli.accounts.models import User; print(User.objects.get(username='resident').resident.household.dwelling_id)")
    )


def shell(env: dict, code: str) -> str:
    """What ``code`` prints, run by ``manage.py shell`` in the bench's environment."""
    return manage(env, "shell", "-v", "0", "-c", code)


def gunicorn(module: str, env: dict, port: int) -> subprocess.Popen:
    return subprocess.Popen(
        [str(ROOT / ".venv" / "bin" / "gunicorn"), module, "--config", "deploy/gunicorn.conf.py", "--access-logfile", "/dev/null"],
        cwd=ROOT,
        env={**env, "LINLI_BIND": f"127.0.0.1:{port}"},
        start_new_session=True,
    )


def stop(*procs: subprocess.Popen) -> None:
    for p in procs:
        os.killpg(p.pid, signal.SIGTERM)
    for p in procs:
        p.wait(timeout=20)


def wait_for(url: str) -> None:
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
        data={"username": username, "password": PASSWORD, "csrfmiddlewaretoken": s.cookies["csrftoken"]},
        headers={"Referer": f"{base}/login/"},
        timeout=10,
        allow_redirects=False,
    )
    if r.status_code != 302 or "sessionid" not in s.cookies:
        sys.exit(f"login as {username} failed")
    return s
