"""Page query counts must not grow with the number of rows."""

from django.db import connection
from django.test.utils import CaptureQueriesContext

from linli.registry import services
from linli.registry.models import CareTag, Place, PlaceKind
from tests.conftest import make_id


def _fill(world, n):
    unit = Place.objects.get(path__startswith=world.building.path, kind=PlaceKind.UNIT)
    tag = CareTag.objects.get(code="volunteer")
    for i in range(n):
        d = services.place_create(actor=world.admin, parent=unit, kind=PlaceKind.DWELLING, name=f"{i + 200}")
        hh = services.household_create(actor=world.admin, dwelling=d, number=f"Q{i}")
        services.resident_create(
            actor=world.admin, household=hh, name=f"测试{i}", id_number=make_id(), phone="13500135000", care_tags=[tag]
        )


def _count(client, url):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx.captured_queries)


def test_resident_list_and_grid_page_do_not_grow(world, login):
    client = login(world.user("staff"))
    _fill(world, 5)
    small = {
        u: _count(client, u)
        for u in ("/registry/residents/?per_page=500", f"/registry/grids/{world.grid.pk}/?per_page=500", "/api/registry/residents/")
    }
    _fill(world, 40)
    large = {u: _count(client, u) for u in small}
    assert small == large


def test_household_and_place_pages_do_not_grow(world, login):
    client = login(world.user("staff"))
    unit = Place.objects.get(path__startswith=world.building.path, kind=PlaceKind.UNIT)
    urls = [f"/registry/households/{world.household.pk}/", f"/registry/places/{unit.pk}/", "/registry/grids/"]
    small = [_count(client, u) for u in urls]
    _fill(world, 20)
    for i in range(3):
        services.resident_create(actor=world.admin, household=world.household, name=f"家人{i}", gender="F")
    assert [_count(client, u) for u in urls] == small
