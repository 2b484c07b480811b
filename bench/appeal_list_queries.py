"""Query count of the staff appeal list (page and API) with 50 and with 500 appeals.

.venv/bin/python bench/appeal_list_queries.py        (BENCH_DATABASE_URL=postgres://… for PostgreSQL)
"""

import time

from _django import setup

vendor = setup()

from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from linli.accounts.models import Role, User  # noqa: E402
from linli.appeals import services  # noqa: E402
from linli.appeals.models import Appeal, Category  # noqa: E402
from linli.registry.generate import CompoundSpec, Generator  # noqa: E402
from linli.registry.models import ManagementStatus, Place, PlaceKind  # noqa: E402
from linli.registry.services import roles  # noqa: E402

gen = Generator(seed=5)
district = gen.root(kind=PlaceKind.DISTRICT, name="区", code="341155")
street = gen.child(district, kind=PlaceKind.STREET, name="街道", code="341155001", save=True)
community, grids = gen.community(
    street,
    name="社区",
    code="341155001001",
    compounds=[CompoundSpec("小区", ManagementStatus.PROPERTY, 4, 2, 6, 2)],
    grid_count=2,
    target_residents=50,
)
admin = User.objects.create_superuser("bench-admin", password="x-bench-pass-1")
staff = User.objects.create_user("bench-staff", password="x-bench-pass-1")
worker = User.objects.create_user("bench-worker", password="x-bench-pass-1")
roles.role_assign(actor=admin, user=staff, role=Role.COMMUNITY_STAFF, place=community)
roles.role_assign(actor=admin, user=worker, role=Role.GRID_WORKER, grid=grids[0])
buildings = list(Place.objects.filter(community=community, kind=PlaceKind.BUILDING))
categories = list(Category.objects.filter(community__isnull=True))
client = Client()
client.force_login(staff)


def fill(target: int) -> None:
    i = Appeal.objects.count()
    while Appeal.objects.count() < target:
        a, _ = services.appeal_submit(
            actor=staff,
            place=buildings[i % len(buildings)],
            title=f"诉求{i}",
            description="路灯坏了",
            channel="phone",
            reporter_name="居民",
            category=categories[i % len(categories)],
        )
        if i % 3:
            services.appeal_accept(actor=staff, appeal=a)
            services.appeal_dispatch(actor=staff, appeal=a, users=[worker])
        i += 1


for n in (50, 500):
    fill(n)
    for label, url in (("page (50 per page)", "/appeals/?status="), ("API", "/api/appeals/")):
        client.get(url)
        with CaptureQueriesContext(connection) as ctx:
            t = time.perf_counter()
            r = client.get(url)
            ms = (time.perf_counter() - t) * 1000
        assert r.status_code == 200
        print(f"database={vendor} appeals={n} {label}: queries={len(ctx.captured_queries)} ms={ms:.0f}")
