"""Background work runs through Django's task framework on a real queue: the database backend
by default, Redis (RQ) by configuration. Each test runs a task end to end through a worker."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def _run(code: str, env: dict) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", code], cwd=ROOT, env={**os.environ, **env}, capture_output=True, text=True, timeout=120)


SCRIPT = """
import django, os
django.setup()
from django.core.management import call_command
call_command("migrate", verbosity=0)
from linli.core.tasks import deliver_notifications
from linli.core import outbox
from linli.core.models import Notification
outbox.queue(phone="13911112222", channels=["sms"], subject="s", body="b")
result = deliver_notifications.enqueue()
{worker}
result.refresh()
print("STATUS", result.status, Notification.objects.get().state)
"""


@pytest.mark.parametrize(
    "backend, worker",
    [
        ("database", 'call_command("db_worker", batch=True, verbosity=0)'),
        (
            "redis",
            "import django_rq; from django_tasks_rq import Job; django_rq.get_worker('default', job_class=Job).work(burst=True)",
        ),
    ],
)
def test_a_task_runs_through_the_worker(tmp_path, backend, worker):
    if backend == "redis":
        redis = pytest.importorskip("redis")
        try:
            redis.Redis.from_url("redis://127.0.0.1:6379/15").ping()
        except redis.exceptions.ConnectionError:
            if os.environ.get("CI") == "true":
                pytest.fail("Redis is required on CI (127.0.0.1:6379)")
            pytest.skip("no Redis on 127.0.0.1:6379")
    env = {
        "DJANGO_SETTINGS_MODULE": "linli.settings",
        "DJANGO_SECRET_KEY": "t",
        "LINLI_DATA_DIR": str(tmp_path),
        "LINLI_TASKS": backend,
        "LINLI_REDIS_URL": "redis://127.0.0.1:6379/15",
        "DATABASE_URL": f"sqlite:///{tmp_path}/t.sqlite3",
    }
    done = _run(SCRIPT.replace("{worker}", worker), env)
    assert "STATUS SUCCESSFUL sent" in done.stdout, done.stdout + done.stderr[-2000:]


def test_unknown_backend_fails_loudly(tmp_path):
    done = _run(
        "import django; django.setup()",
        {"DJANGO_SETTINGS_MODULE": "linli.settings", "DJANGO_SECRET_KEY": "t", "LINLI_TASKS": "celery?", "LINLI_DATA_DIR": str(tmp_path)},
    )
    assert done.returncode != 0 and "LINLI_TASKS must be one of" in done.stderr
