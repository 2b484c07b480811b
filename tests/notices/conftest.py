"""A community with people in two buildings of one compound: more households per stairwell, a
resident who moved away (not 在册), and the other community's people, who must never be reached."""

from types import SimpleNamespace

import pytest

from linli.registry import services as registry
from linli.registry.models import Place, PlaceKind
from tests.conftest import user_for_resident


def add_people(world, building, n, *, prefix="住户", phone=True):
    dwelling = Place.objects.get(path__startswith=building.path, kind=PlaceKind.DWELLING)
    out = []
    for i in range(n):
        hh = registry.household_create(actor=world.admin, dwelling=dwelling, number=f"{prefix}{building.pk}-{i}")
        out.append(
            registry.resident_create(
                actor=world.admin, household=hh, name=f"{prefix}{i}", gender="F", phone=f"1350000{building.pk % 10}{i:03d}" if phone else ""
            )
        )
    return out


@pytest.fixture
def nworld(world):
    b1_people = add_people(world, world.building, 3)
    b2_people = add_people(world, world.other_building, 2, phone=False)
    gone = add_people(world, world.building, 1, prefix="迁出")[0]
    type(gone).objects.filter(pk=gone.pk).update(is_active=False)
    add_people(world, world.far_building, 2, prefix="远方")
    neighbour = user_for_resident(world, world.other_resident, "neighbour")
    compound = Place.objects.get(path=world.building.path[: -Place.steplen])
    return SimpleNamespace(
        staff=world.user("staff"), resident=world.user("resident"), neighbour=neighbour, head=world.user("buildinghead"),
        compound=compound, b1_people=b1_people, b2_people=b2_people, gone=gone,
    )  # fmt: skip
