"""Dashboards, reports and exports read from the replica when one is configured; writes and
every other read stay on the primary."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import uuid
from pathlib import Path

import psycopg
import pytest
from django.db import connection
from django.urls import reverse

from linli.core import replica
from linli.core.replica import ReplicaRouter, reporting
from tests.conftest import PASSWORD

ROOT = Path(__file__).resolve().parents[2]


def test_without_a_replica_everything_reads_from_the_primary():
    router = ReplicaRouter()
    with reporting():
        assert router.db_for_read(object) == "default"
    assert router.db_for_write(object) == "default"


def test_only_reads_inside_reporting_go_to_the_replica(monkeypatch):
    monkeypatch.setattr(replica, "replica_configured", lambda: True)
    router = ReplicaRouter()
    assert router.db_for_read(object) == "default"
    with reporting():
        assert router.db_for_read(object) == "replica"
        assert router.db_for_write(object) == "default"
        assert not router.allow_migrate("replica", "appeals")
    assert router.db_for_read(object) == "default"


@pytest.fixture
def reads(monkeypatch):
    """(model, inside reporting?) for every routed read."""
    seen: list[tuple[str, bool]] = []

    def record(self, model, **hints):
        seen.append((model.__name__, replica._reporting.get()))
        return "default"

    monkeypatch.setattr(ReplicaRouter, "db_for_read", record)
    return seen


def test_the_dashboard_and_the_export_read_as_reporting_the_inbox_does_not(world, new_appeal, login, reads):
    new_appeal()
    staff = login(world.user("staff"))
    assert staff.get(reverse("dashboard:area", args=[world.community.pk])).status_code == 200
    assert ("AppealFact", True) in reads and ("AppealFact", False) not in reads
    reads.clear()
    assert staff.get("/api/appeals/").status_code == 200
    assert ("Appeal", False) in reads and ("Appeal", True) not in reads
    reads.clear()
    admin = login(world.user("admin"))
    assert admin.get(reverse("registry:export")).status_code == 200
    assert ("Resident", True) in reads


def test_the_monthly_report_counts_as_reporting(world, new_appeal, reads):
    from django.utils import timezone

    from linli.dashboard.models import MonthlyReport
    from linli.dashboard.services import monthly_report_build

    new_appeal()
    report = MonthlyReport.objects.create(
        place=world.community, month=timezone.localdate().replace(day=1), requested_by=world.user("staff")
    )
    assert monthly_report_build(report_id=report.pk).status == MonthlyReport.Status.DONE
    assert ("AppealFact", True) in reads and ("MonthlyReport", False) in reads


@pytest.mark.django_db(transaction=True)
def test_two_real_databases_reads_from_the_replica_writes_to_the_primary(tmp_path):
    """A primary and a copy of it as the replica (PostgreSQL): a row only the replica has is seen
    inside ``reporting()`` and not outside; a write inside ``reporting()`` lands on the primary."""
    if connection.vendor != "postgresql":
        pytest.skip("two real databases: the PostgreSQL pass")
    source = connection.settings_dict
    host, port, user = source["HOST"] or "localhost", source["PORT"] or 5432, source["USER"]
    primary, copy = f"linli_primary_{uuid.uuid4().hex[:8]}", f"linli_replica_{uuid.uuid4().hex[:8]}"
    url = f"postgres://{user}@{host}:{port}"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("LINLI_", "DATABASE_URL"))}
    env.update(DATABASE_URL=f"{url}/{primary}", LINLI_DATA_DIR=str(tmp_path), DJANGO_SECRET_KEY="replica-test")
    with psycopg.connect(host=host, port=port, user=user, dbname="postgres", autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{primary}"')
        try:
            subprocess.run([sys.executable, "manage.py", "migrate", "-v", "0"], cwd=ROOT, env=env, check=True, timeout=300)
            admin.execute(f'CREATE DATABASE "{copy}" TEMPLATE "{primary}"')
            script = """
import json
from linli.accounts.models import User
from linli.core.replica import reporting
User.objects.db_manager("replica").create_user("only_on_replica")
with reporting():
    seen_inside = User.objects.filter(username="only_on_replica").exists()
    User.objects.create_user("written_while_reporting")
seen_outside = User.objects.filter(username="only_on_replica").exists()
print(json.dumps({"inside": seen_inside, "outside": seen_outside,
    "write_on_primary": User.objects.using("default").filter(username="written_while_reporting").exists(),
    "write_on_replica": User.objects.using("replica").filter(username="written_while_reporting").exists()}))
"""
            done = subprocess.run(
                [sys.executable, "manage.py", "shell", "-v", "0", "-c", script],
                cwd=ROOT,
                env={**env, "LINLI_REPLICA_URL": f"{url}/{copy}"},
                capture_output=True,
                text=True,
                timeout=120,
            )
            assert done.returncode == 0, done.stderr
            assert json.loads(done.stdout.strip().splitlines()[-1]) == {
                "inside": True,
                "outside": False,
                "write_on_primary": True,
                "write_on_replica": False,
            }
        finally:
            for name in (primary, copy):
                admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def test_sessions_in_redis_are_seen_by_another_app_server(world, settings):
    """LINLI_SESSIONS=redis: a session made by one server's process is honoured by another
    (two clients standing for two servers share nothing but Redis)."""
    import redis
    from django.test import Client

    try:
        redis.Redis.from_url("redis://127.0.0.1:6379/15").ping()
    except redis.ConnectionError:
        pytest.skip("Redis is not running on 127.0.0.1:6379")
    settings.CACHES = {
        **settings.CACHES,
        "sessions": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": "redis://127.0.0.1:6379/15"},
    }
    settings.SESSION_ENGINE = "django.contrib.sessions.backends.cache"
    settings.SESSION_CACHE_ALIAS = "sessions"
    first = Client()
    assert first.post(reverse("login"), {"username": "staff", "password": PASSWORD}).status_code == 302
    second = Client()
    second.cookies["sessionid"] = first.cookies["sessionid"].value
    assert second.get(reverse("registry:residents")).status_code == 200
    from django.contrib.sessions.models import Session

    assert not Session.objects.exists()  # nothing written to the database
