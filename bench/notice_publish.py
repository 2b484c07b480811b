"""A notice to the whole demo community (≈9,300 registered people): how long publishing takes
(the notice + one receipt per person, in the request) and how long the worker's delivery takes
(the outbox rows), with query counts.

.venv/bin/python bench/notice_publish.py      (BENCH_DATABASE_URL=postgres://… for PostgreSQL)
"""

import time

from _django import setup

vendor = setup()

from django.db import connection  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from linli.accounts.models import User  # noqa: E402
from linli.core.models import Notification  # noqa: E402
from linli.notices import services  # noqa: E402
from linli.notices.models import Receipt  # noqa: E402
from linli.ops.demo import seed_everything  # noqa: E402
from linli.registry.models import Place, Resident  # noqa: E402

t0 = time.perf_counter()
seed_everything(seed=20240501)
print(f"{vendor}: demo seeded in {time.perf_counter() - t0:.1f} s")
community = Place.objects.get(code="341103004001")
staff = User.objects.get(username="staff")
people = Resident.objects.filter(is_active=True, household__dwelling__path__startswith=community.path).count()
for run, sms in enumerate((False, True, False)):
    with CaptureQueriesContext(connection) as ctx:
        t = time.perf_counter()
        notice, _ = services.notice_publish(
            actor=staff, community=community, place=community, title=f"全体居民通知 {run}", body="测试", sms=sms
        )
        publish_s = time.perf_counter() - t
    queries = len(ctx)
    before = Notification.objects.count()
    t = time.perf_counter()
    services.notice_deliver(notice_id=notice.pk)
    deliver_s = time.perf_counter() - t
    written = Notification.objects.count() - before
    receipts = Receipt.objects.filter(notice=notice).count()
    assert receipts == people, (receipts, people)
    print(
        f"run {run + 1} (sms={'yes' if sms else 'no'}): {receipts} receipts = {people} registered; "
        f"publish {publish_s * 1000:.0f} ms in {queries} queries; worker delivery {deliver_s:.1f} s, {written} outbox rows"
    )
