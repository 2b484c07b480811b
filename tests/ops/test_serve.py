"""`make serve` in a fresh data folder: gunicorn with DEBUG off behind (simulated) HTTPS, static
files fingerprinted with far-future cache headers, the CSP and HSTS on every page, and
`check --deploy` clean in the production configuration.

It starts real processes (scripts/serve.sh under honcho), so it runs once, in the SQLite pass.
"""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests

ROOT = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.skipif(bool(os.environ.get("DATABASE_URL")), reason="runs once, in the SQLite pass")


def _production_env(tmp_path: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "LINLI_", "DATABASE_URL", "DB_"))}
    env.update(DJANGO_SETTINGS_MODULE="linli.settings", LINLI_DATA_DIR=str(tmp_path / "data"), **extra)
    return env


def test_check_deploy_is_clean_in_the_production_configuration(tmp_path):
    import secrets

    env = _production_env(
        tmp_path,
        DJANGO_SECRET_KEY=secrets.token_urlsafe(50),
        DJANGO_ALLOWED_HOSTS="linli.example.gov.cn",
        LINLI_HTTPS="true",
        LINLI_COLLECTED_STATIC="true",
        DB_PERSISTENT="true",
    )
    done = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "System check identified no issues (0 silenced)." in done.stdout


def test_check_deploy_names_what_plain_http_gives_up(tmp_path):
    # The same configuration without HTTPS is not production: the check says so.
    env = _production_env(tmp_path, DJANGO_SECRET_KEY="x" * 60 + "abcdefg", LINLI_COLLECTED_STATIC="true")
    done = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )
    for warning in ("security.W004", "security.W008", "security.W012", "security.W016"):
        assert warning in done.stdout + done.stderr


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def served(tmp_path):
    if not (ROOT / ".venv" / "bin" / "honcho").exists():
        pytest.skip("make setup installs honcho into .venv")
    port = _free_port()
    env = _production_env(tmp_path, LINLI_BIND=f"127.0.0.1:{port}", LINLI_WEB_WORKERS="2")
    log = open(tmp_path / "serve.log", "w+")
    proc = subprocess.Popen(["bash", "scripts/serve.sh"], cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    base = f"http://127.0.0.1:{port}"
    try:
        # Migrating, collecting and compressing (gzip + Brotli) the static files takes a while
        # on a busy machine: wait for the first answer up to a deadline, then say what happened.
        deadline, up = time.monotonic() + 300, False
        while not up and time.monotonic() < deadline and proc.poll() is None:
            try:
                up = requests.get(f"{base}/healthz", timeout=5).status_code == 200
            except requests.RequestException:
                time.sleep(0.5)
        log.seek(0)
        output = log.read()
        if not up:
            pytest.fail(f"make serve did not answer (exit code {proc.poll()}):\n{output}")
        yield base, tmp_path / "data", output
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
        log.close()


def test_make_serve_answers_in_production_configuration(served):
    base, data, output = served
    https = {"X-Forwarded-Proto": "https"}
    # Secrets are generated once, readable by the owner only.
    secrets_file = data / "production.env"
    assert secrets_file.stat().st_mode & 0o077 == 0
    assert "DJANGO_SECRET_KEY=" in secrets_file.read_text() and "LINLI_FIELD_KEYS=" in secrets_file.read_text()
    assert "System check identified no issues" in output
    # Plain HTTP goes to HTTPS; the load balancer's probe does not.
    plain = requests.get(f"{base}/login/", allow_redirects=False, timeout=10)
    assert plain.status_code == 301 and plain.headers["Location"].startswith("https://")
    # Behind the TLS proxy: the page, with its security headers and Secure cookies.
    login = requests.get(f"{base}/login/", headers=https, timeout=10)
    assert login.status_code == 200 and login.headers["Server"].startswith("gunicorn")
    csp = login.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp and "unsafe-eval" not in csp
    assert "max-age=31536000" in login.headers["Strict-Transport-Security"]
    assert "Secure" in login.headers["Set-Cookie"]
    # DEBUG is off: an unknown address gets Linli's own 404, not Django's debug page.
    missing = requests.get(f"{base}/no-such-page/", headers=https, timeout=10)
    assert missing.status_code == 404 and "URLconf" not in missing.text and "邻里" in missing.text
    # Static files: fingerprinted names, compressed, cached for a year and more.
    assets = re.findall(r'(?:src|href)="(/static/[^"]+)"', login.text)
    assert assets and all(re.search(r"\.[0-9a-f]{12}\.(css|js|svg)$", a) for a in assets), assets
    for asset in assets:
        r = requests.get(base + asset, headers={**https, "Accept-Encoding": "gzip, br"}, timeout=10)
        assert r.status_code == 200
        assert "immutable" in r.headers["Cache-Control"]
        assert int(re.search(r"max-age=(\d+)", r.headers["Cache-Control"]).group(1)) >= 365 * 24 * 3600
        if asset.endswith((".css", ".js")):
            assert r.headers.get("Content-Encoding") in {"gzip", "br"}
    # The generated field key reaches Linli whole (Fernet keys end in "="), and encrypts.
    env = _production_env(data.parent, LINLI_HTTPS="true")
    shell = "from django.conf import settings; from linli.core import crypto; assert crypto.decrypt(crypto.encrypt('13800138000')) == '13800138000'; print(settings.LINLI_FIELD_KEYS[0])"
    done = subprocess.run(
        ["bash", "scripts/serve.sh", "manage", "shell", "-v", "0", "-c", shell],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert f"LINLI_FIELD_KEYS={done.stdout.strip()}\n" in secrets_file.read_text()
    # Signed in, a page that uses third-party static files (the API docs): every asset is there.
    subprocess.run(
        ["bash", "scripts/serve.sh", "manage", "createsuperuser", "--noinput", "--username", "chief", "--email", "chief@example.gov.cn"],
        cwd=ROOT,
        env={**env, "DJANGO_SUPERUSER_PASSWORD": "a-Strong-passw0rd"},
        check=True,
        capture_output=True,
        timeout=120,
    )
    # (The cookies are Secure: the TLS proxy is simulated, so they are handed back by hand.)
    page = requests.get(f"{base}/login/", headers=https, timeout=10)
    jar = {"csrftoken": page.cookies["csrftoken"]}
    signed_in = requests.post(
        f"{base}/login/",
        data={"username": "chief", "password": "a-Strong-passw0rd", "csrfmiddlewaretoken": jar["csrftoken"]},
        headers={**https, "Referer": base.replace("http://", "https://") + "/login/"},
        cookies=jar,
        allow_redirects=False,
        timeout=10,
    )
    assert signed_in.status_code == 302, signed_in.text[:300]
    jar = {**jar, **signed_in.cookies.get_dict()}
    docs = requests.get(f"{base}/api/docs/", headers=https, cookies=jar, timeout=10)
    assert docs.status_code == 200
    # Swagger UI draws with inline styles: that page alone allows them, and still no inline script.
    assert "style-src 'self' 'unsafe-inline'" in docs.headers["Content-Security-Policy"]
    assert "script-src 'self';" in docs.headers["Content-Security-Policy"] + ";"
    assert "unsafe-inline" not in login.headers["Content-Security-Policy"]
    assets = re.findall(r'(?:src|href)="(/static/[^"]+)"', docs.text)
    assert any("swagger-ui" in a for a in assets), assets
    for asset in assets:
        assert requests.get(base + asset, headers=https, timeout=10).status_code == 200, asset
    # The worker and the scans run beside the web processes.
    for process in ("web.1", "worker.1", "deadlines.1", "nightly.1"):
        assert f"{process} started" in output
