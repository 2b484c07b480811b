"""Grid work at district scale: the compliance and overdue-visit pages on a year of patrols and visits.

Run generate_district, then generate_gridwork, into a scratch database:

    BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/linli_bench .venv/bin/python bench/gridwork_pages.py

For each page: status, query count and p50/p95 over RUNS requests (after one warm-up), for two
grids (or communities) of different size — the query count must be the same for both.
"""

import os

from _django import bench_user, measure, setup, signed_in

vendor = setup()

from django.db.models import Count  # noqa: E402

from linli.accounts.models import Role, RoleAssignment  # noqa: E402
from linli.gridwork.models import Patrol, PatrolTime, Visit  # noqa: E402
from linli.registry.models import Grid, Place, PlaceKind  # noqa: E402

RUNS = int(os.environ.get("BENCH_RUNS", "30"))

grids = Grid.objects.filter(parent__isnull=True).count()
if not Patrol.objects.exists():
    raise SystemExit("no patrols: run `manage.py generate_gridwork` on this database first")
print(
    f"database={vendor} grids={grids} patrols={Patrol.objects.count()} patrol_time_rows={PatrolTime.objects.count()} "
    f"visits={Visit.objects.count()} runs={RUNS}"
)


# Two communities of different size, and in each the grid with most and fewest households.
by_size = list(
    Place.objects.filter(kind=PlaceKind.COMMUNITY).annotate(n=Count("grids__places__households", distinct=True)).order_by("n", "path")
)
for community in (by_size[0], by_size[-1]):
    sized = list(
        Grid.objects.filter(community=community, parent__isnull=True).annotate(n=Count("places__households", distinct=True)).order_by("n")
    )
    client = signed_in(bench_user(f"bench-gw-staff-{community.pk}", Role.COMMUNITY_STAFF, place=community))
    print(f"{community.name}: {community.n} households, {len(sized)} grids")
    for grid in (sized[0], sized[-1]):
        worker = RoleAssignment.objects.filter(role=Role.GRID_WORKER, grid=grid).select_related("user").first().user
        own = signed_in(worker)
        for who, c, label, url in (
            ("staff", client, "grid compliance page", f"/gridwork/grids/{grid.pk}/"),
            ("staff", client, "API compliance (10 days)", f"/api/gridwork/compliance/?grid={grid.pk}"),
            ("staff", client, "API overdue visits", f"/api/gridwork/visit-targets/?grid={grid.pk}&state=overdue"),
            ("worker", own, "overdue-visits page", "/gridwork/visits/?tab=overdue"),
            ("worker", own, "worker's day page", "/gridwork/"),
        ):
            status, queries, p50, p95 = measure(c, url, RUNS)
            print(
                f"  grid {grid.code:<10} {grid.n:>5} households  {who:<6} {label:<26} status={status} queries={queries:>3} p50={p50:6.1f} ms p95={p95:6.1f} ms"
            )
    status, queries, p50, p95 = measure(client, f"/gridwork/communities/{community.pk}/", RUNS)
    print(
        f"  whole community                  staff  community overview         status={status} queries={queries:>3} p50={p50:6.1f} ms p95={p95:6.1f} ms"
    )
