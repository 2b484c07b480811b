"""Set up Django for a benchmark: a fresh SQLite file in a temp folder, or the PostgreSQL
database named by BENCH_DATABASE_URL (it should be a scratch database: benchmarks write to it)."""

import os
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def setup() -> str:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "linli.settings")
    os.environ.setdefault("DJANGO_SECRET_KEY", "bench-secret")
    os.environ.setdefault("LINLI_LOG_LEVEL", "WARNING")
    if os.environ.get("BENCH_DATABASE_URL"):
        os.environ["DATABASE_URL"] = os.environ["BENCH_DATABASE_URL"]
    else:
        os.environ.pop("DATABASE_URL", None)
    os.environ["LINLI_DATA_DIR"] = tempfile.mkdtemp(prefix="linli-bench-")
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0)
    from django.db import connection

    return connection.vendor


def measure(client, url: str, runs: int) -> tuple[int, int, float, float]:
    """(status, query count, p50 ms, p95 ms) of a page: one warm-up, one counted request, then
    ``runs`` timed ones."""
    import statistics
    import time

    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.get(url)  # warm-up: the session, the translation catalogue
    with CaptureQueriesContext(connection) as ctx:
        r = client.get(url)
    queries = len(ctx.captured_queries)  # now: the next request clears the log it reads from
    times = []
    for _ in range(runs):
        t = time.perf_counter()
        client.get(url)
        times.append((time.perf_counter() - t) * 1000)
    return r.status_code, queries, statistics.median(times), statistics.quantiles(times, n=20)[18]


def bench_user(name: str, role, **anchor):
    """A user holding ``role`` at ``anchor`` (made once; benches reuse it run after run)."""
    from linli.accounts.models import RoleAssignment, User

    u, _ = User.objects.get_or_create(username=name)
    RoleAssignment.objects.get_or_create(user=u, role=role, **anchor)
    return u


def signed_in(user):
    """A test client signed in as ``user``."""
    from django.test import Client

    client = Client()
    client.force_login(user)
    return client
