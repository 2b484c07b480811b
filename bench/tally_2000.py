"""Tally of an owners' vote (art. 278) with 2,000 eligible households: query count and time.

.venv/bin/python bench/tally_2000.py      (BENCH_DATABASE_URL=postgres://… for PostgreSQL)
"""

import random
import time

from _django import setup

vendor = setup()

from django.db import connection  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from linli.accounts.models import Role, User  # noqa: E402
from linli.councils import services  # noqa: E402
from linli.councils.models import Ballot  # noqa: E402
from linli.councils.voting import Rule  # noqa: E402
from linli.registry.generate import CompoundSpec, Generator  # noqa: E402
from linli.registry.models import ManagementStatus, Ownership, Place, PlaceKind  # noqa: E402
from linli.registry.services import roles  # noqa: E402

N = 2000
gen = Generator(seed=9)
district = gen.root(kind=PlaceKind.DISTRICT, name="区", code="341166")
street = gen.child(district, kind=PlaceKind.STREET, name="街道", code="341166001", save=True)
# 2,000 dwellings in one compound: 10 buildings × 2 units × 25 floors × 4.
community, _grids = gen.community(
    street,
    name="社区",
    code="341166001001",
    compounds=[CompoundSpec("大型小区", ManagementStatus.PROPERTY, 10, 2, 25, 4)],
    grid_count=2,
    target_residents=0,
)
compound = Place.objects.get(community=community, kind=PlaceKind.COMPOUND)
dwellings = list(Place.objects.filter(path__startswith=compound.path, kind=PlaceKind.DWELLING).values_list("pk", flat=True))
assert len(dwellings) == N, len(dwellings)
rng = random.Random(9)
# 1,900 owners: 100 of them own two dwellings (counted once by number, with both areas).
owner_of = [f"owner-{i}" for i in range(1900)] + [f"owner-{i}" for i in range(100)]
rng.shuffle(owner_of)
Ownership.objects.bulk_create([Ownership(dwelling_id=d, owner_key=k, owner_name=k) for d, k in zip(dwellings, owner_of, strict=True)])

admin = User.objects.create_superuser("bench-admin", password="x-bench-pass-1")
staff = User.objects.create_user("bench-staff", password="x-bench-pass-1")
roles.role_assign(actor=admin, user=staff, role=Role.COMMUNITY_STAFF, place=community)
council = services.council_create(actor=staff, community=community, compound=compound, name="业主大会")
topic = services.topic_propose(actor=staff, council=council, title="使用维修资金更换电梯", source="staff")
while topic.step != "decide":
    topic = services.topic_advance(actor=staff, topic=topic)
vote = services.vote_open(actor=staff, topic=topic, rule=Rule.OWNERS_SPECIAL, compound=compound)
owners = sorted(set(owner_of))
Ballot.objects.bulk_create(
    [
        Ballot(vote=vote, voter_key=k, choice=rng.choices(["for", "against", "abstain"], [80, 15, 5])[0])
        for k in owners[: int(len(owners) * 0.8)]
    ]
)

with CaptureQueriesContext(connection) as ctx:
    started = time.perf_counter()
    closed = services.vote_close(actor=staff, vote=vote)
    seconds = time.perf_counter() - started
tally_only = [q for q in ctx.captured_queries]
print(
    f"database={vendor} eligible_households={N} owners={len(owners)} ballots={closed.figures['participating_owners']} "
    f"passed={closed.passed} close_and_tally_queries={len(tally_only)} seconds={seconds:.3f}"
)
for line in closed.result_lines:
    print("  " + line)
