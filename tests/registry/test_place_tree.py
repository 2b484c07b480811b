"""The place tree, grids and their invariants (kept by services)."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from linli.registry import services
from linli.registry.models import Place, PlaceKind


def test_tree_levels_and_addresses(world):
    dwelling = Place.objects.get(path__startswith=world.building.path, kind=PlaceKind.DWELLING)
    assert dwelling.address == "阳光花园 1栋 1单元 101"
    assert dwelling.community_id == world.community.pk
    assert [p.kind for p in Place.objects.get_ancestors(dwelling)] == ["district", "street", "community", "compound", "building", "unit"]


@pytest.mark.parametrize(
    "parent_kind, child_kind", [("community", "building"), ("street", "compound"), ("unit", "building"), ("dwelling", "unit")]
)
def test_wrong_level_is_refused(world, parent_kind, child_kind):
    parent = Place.objects.filter(kind=parent_kind).first()
    with pytest.raises(ValidationError):
        services.place_create(actor=world.admin, parent=parent, kind=child_kind, name="x")


def test_compound_needs_management_status_and_only_dwellings_have_area(world):
    with pytest.raises(ValidationError) as e:
        services.place_create(actor=world.admin, parent=world.community, kind="compound", name="无名小区")
    assert "management_status" in e.value.message_dict
    compound = Place.objects.get(kind="compound", name="阳光花园")
    with pytest.raises(ValidationError):
        services.place_create(actor=world.admin, parent=compound, kind="building", name="9栋", floor_area=10)


def test_units_and_dwellings_follow_their_building_into_a_grid(world):
    services.grid_assign_buildings(actor=world.admin, grid=world.other_grid, buildings=[world.building])
    assert set(Place.objects.filter(path__startswith=world.building.path).values_list("grid_id", flat=True)) == {world.other_grid.pk}
    unit = Place.objects.get(path__startswith=world.building.path, kind="unit")
    new = services.place_create(actor=world.admin, parent=unit, kind="dwelling", name="102", floor_area=60, use="rented")
    assert new.grid_id == world.other_grid.pk


@pytest.mark.parametrize("code", ["34110300400100", "3411030040010011", "34110300400100A", "341103004002009"])
def test_grid_code_is_15_digits_inside_its_community(world, code):
    with pytest.raises(ValidationError):
        services.grid_create(actor=world.admin, community=world.community, name="x", code=code)


def test_grid_code_unique(world):
    with pytest.raises(ValidationError):
        services.grid_create(actor=world.admin, community=world.community, name="x", code="341103004001001")


def test_grid_worker_cannot_change_the_tree(world):
    compound = Place.objects.get(kind="compound", name="阳光花园")
    with pytest.raises(PermissionDenied):
        services.place_create(actor=world.user("gridworker"), parent=compound, kind="building", name="9栋")
    with pytest.raises(PermissionDenied):
        services.place_create(actor=world.user("far_staff"), parent=compound, kind="building", name="9栋")
    b = services.place_create(actor=world.user("staff"), parent=compound, kind="building", name="9栋")
    assert b.community_id == world.community.pk


def test_micro_grid_residents_count_for_the_parent_grid(world):
    from linli.accounts.scope import scope_for
    from linli.registry import access

    micro = services.grid_create(
        actor=world.admin, community=world.community, name="微网格", code="341103004001101", kind="micro", parent=world.grid
    )
    services.grid_assign_buildings(actor=world.admin, grid=micro, buildings=[world.building])
    leader = world.user("gridleader")
    assert world.resident in access.residents(scope_for(leader))


def test_party_organisation_follows_the_grid(world, login):
    from linli.registry.models import PartyOrgKind

    committee = services.party_organisation_create(
        actor=world.admin, parent=None, kind=PartyOrgKind.COMMITTEE, name="和美社区大党委", community=world.community
    )
    branch = services.party_organisation_create(
        actor=world.admin, parent=committee, kind=PartyOrgKind.GRID_BRANCH, name="第1网格党支部", community=world.community, grid=world.grid
    )
    services.party_organisation_create(
        actor=world.admin,
        parent=branch,
        kind=PartyOrgKind.BUILDING_GROUP,
        name="1栋党小组",
        community=world.community,
        grid=world.grid,
        building=world.building,
    )
    with pytest.raises(ValidationError):
        services.party_organisation_create(
            actor=world.admin, parent=committee, kind=PartyOrgKind.MEMBER_HOUSEHOLD, name="跳级", community=world.community
        )
    body = login(world.user("gridworker")).get(f"/registry/grids/{world.grid.pk}/").content.decode()
    assert "第1网格党支部" in body and "1栋党小组" in body
    body = login(world.user("other_gridworker")).get(f"/registry/grids/{world.other_grid.pk}/").content.decode()
    assert "第1网格党支部" not in body
