"""Page times on a district-scale data set (run generate_district first into a scratch database).

BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/linli_bench .venv/bin/python bench/district_pages.py
"""

import time

from _django import setup

vendor = setup()

from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from linli.accounts.models import Role, RoleAssignment, User  # noqa: E402
from linli.registry.models import Grid, Place, PlaceKind, Resident  # noqa: E402

total = Resident.objects.count()
community = Place.objects.filter(kind=PlaceKind.COMMUNITY).order_by("path").last()
street = Place.objects.filter(kind=PlaceKind.STREET).order_by("path").last()
grid = Grid.objects.filter(community=community).order_by("code").first()
probe = Resident.objects.filter(household__dwelling__community=community).order_by("id").first()


def user(name, role, **anchor):
    u, _ = User.objects.get_or_create(username=name)
    RoleAssignment.objects.get_or_create(user=u, role=role, **anchor)
    return u


cases = [
    (user("bench-staff", Role.COMMUNITY_STAFF, place=community), "community staff"),
    (user("bench-street", Role.STREET_SUPERVISOR, place=street), "street supervisor"),
    (user("bench-grid", Role.GRID_WORKER, grid=grid), "grid worker"),
]
print(f"database={vendor} residents_in_db={total}")
for u, label in cases:
    client = Client()
    client.force_login(u)
    for name, url in (
        ("resident list", "/registry/residents/"),
        ("search by pinyin initials", f"/registry/residents/?q={probe.name_initials}"),
        ("search by phone last 4", f"/registry/residents/?q={probe.phone_masked[-4:] or '1234'}"),
        ("grid page", f"/registry/grids/{grid.pk}/"),
        ("place page (community)", f"/registry/places/{community.pk}/"),
    ):
        client.get(url)
        with CaptureQueriesContext(connection) as ctx:
            t = time.perf_counter()
            r = client.get(url)
            ms = (time.perf_counter() - t) * 1000
        print(f"  {label:<18} {name:<26} status={r.status_code} queries={len(ctx.captured_queries)} ms={ms:.0f}")
