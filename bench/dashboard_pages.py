"""The dashboard at district scale: community, street and district views, a grid, the list behind
a figure, and a street's monthly report. Run generate_district, then generate_appeals (and
count_population), into a scratch database:

    BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/linli_bench .venv/bin/python bench/dashboard_pages.py

Each page: status, query count and p50/p95 over RUNS requests after a warm-up, for a month and
for a whole year — the query count must be the same for both.
"""

import os
import time
from datetime import date

from _django import bench_user, measure, setup, signed_in

vendor = setup()

from django.utils import timezone  # noqa: E402

from linli.accounts.models import Role, User  # noqa: E402
from linli.appeals.models import Appeal  # noqa: E402
from linli.dashboard import services  # noqa: E402
from linli.dashboard.models import AppealDay, AppealFact, PopulationCount  # noqa: E402
from linli.registry.models import Grid, Place, PlaceKind  # noqa: E402

RUNS = int(os.environ.get("BENCH_RUNS", "30"))

if not AppealFact.objects.exists():
    raise SystemExit("no appeal facts: run `manage.py generate_appeals` on this database first")
if not PopulationCount.objects.exists():
    services.population_count()
district = Place.objects.filter(kind=PlaceKind.DISTRICT).order_by("path").first()
street = Place.objects.filter(kind=PlaceKind.STREET, path__startswith=district.path).order_by("path").last()
community = Place.objects.filter(kind=PlaceKind.COMMUNITY, path__startswith=street.path).order_by("path").last()
grid = Grid.objects.filter(community=community, parent__isnull=True).order_by("code").first()
print(
    f"database={vendor} appeals={Appeal.objects.count()} facts={AppealFact.objects.count()} "
    f"day_rows={AppealDay.objects.count()} communities={Place.objects.filter(kind=PlaceKind.COMMUNITY).count()} runs={RUNS}"
)


today = timezone.localdate()
last_month = (today.replace(day=1) - date.resolution).replace(day=1)
month = f"month={last_month:%Y-%m}"
year = f"start={today.replace(year=today.year - 1):%Y-%m-%d}&end={today:%Y-%m-%d}"
cases = [
    (
        "community staff",
        signed_in(bench_user("bench-dash-staff", Role.COMMUNITY_STAFF, place=community)),
        f"/dashboard/areas/{community.pk}/",
    ),
    ("grid leader", signed_in(bench_user("bench-dash-leader", Role.GRID_LEADER, grid=grid)), f"/dashboard/grids/{grid.pk}/"),
    (
        "street supervisor",
        signed_in(bench_user("bench-dash-street", Role.STREET_SUPERVISOR, place=street)),
        f"/dashboard/areas/{street.pk}/",
    ),
    ("district (admin)", signed_in(bench_user("bench-dash-admin", Role.ADMIN)), f"/dashboard/areas/{district.pk}/"),
    (
        "community staff",
        signed_in(User.objects.get(username="bench-dash-staff")),
        f"/dashboard/appeals/?kind=place&id={community.pk}&figure=on_time&",
    ),
]
for label, client, url in cases:
    for span, query in (("a month", month), ("a year", year)):
        sep = "" if url.endswith("&") else "?"
        status, queries, p50, p95 = measure(client, f"{url}{sep}{query}", RUNS)
        print(f"  {label:<18} {url.split('?')[0]:<34} {span:<8} status={status} queries={queries:>3} p50={p50:7.1f} ms p95={p95:7.1f} ms")

admin = User.objects.get(username="bench-dash-admin")
for place in (community, street):
    t = time.perf_counter()
    report = services.monthly_report_request(actor=admin, place=place, month=last_month)
    report = services.monthly_report_build(report_id=report.pk)
    print(f"monthly report {place.kind:<9} {last_month:%Y-%m}: status={report.status} built in {time.perf_counter() - t:.1f} s")
