"""Query count of the staff resident list page (and the grid page) with 50 and with 500 rows.

.venv/bin/python bench/resident_list_queries.py
"""

import time

from _django import setup

vendor = setup()

from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from linli.accounts.models import Role, User  # noqa: E402
from linli.registry.generate import CompoundSpec, Generator  # noqa: E402
from linli.registry.models import ManagementStatus, PlaceKind  # noqa: E402
from linli.registry.services import roles  # noqa: E402


def measure(n: int) -> str:
    gen = Generator(seed=n)
    district = gen.root(kind=PlaceKind.DISTRICT, name=f"区{n}", code=f"3411{n % 100:02d}")
    street = gen.child(district, kind=PlaceKind.STREET, name="街道", code=f"3411{n % 100:02d}001", save=True)
    community, grids = gen.community(
        street,
        name="社区",
        code=f"3411{n % 100:02d}001001",
        compounds=[CompoundSpec("小区", ManagementStatus.PROPERTY, 4, 2, 18, 2)],
        grid_count=1,
        target_residents=n,
    )
    admin = User.objects.get_or_create(username="bench-root", defaults={"is_superuser": True})[0]
    staff = User.objects.create_user(f"staff{n}", password="x-bench-pass-1")
    roles.role_assign(actor=admin, user=staff, role=Role.COMMUNITY_STAFF, place=community)
    from linli.registry.models import Resident

    total = Resident.objects.filter(household__dwelling__community=community).count()
    client = Client()
    client.force_login(staff)
    out = []
    for label, url in (
        ("resident_list", "/registry/residents/?per_page=500"),
        ("grid_page", f"/registry/grids/{grids[0].pk}/?per_page=500"),
    ):
        client.get(url)  # warm caches (sessions, content types)
        with CaptureQueriesContext(connection) as ctx:
            t = time.perf_counter()
            response = client.get(url)
            ms = (time.perf_counter() - t) * 1000
        assert response.status_code == 200
        shown = response.content.decode().count('href="/registry/residents/') - 1  # minus the menu link
        out.append(f"{label}: rows={total} shown={shown} queries={len(ctx.captured_queries)} ms={ms:.0f}")
    return "; ".join(out)


for n in (50, 500):
    print(f"database={vendor} " + measure(n))
