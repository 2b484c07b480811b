import pytest

from linli.appeals import services
from linli.appeals.models import Category
from linli.registry.models import Place, PlaceKind


@pytest.fixture
def category(world):
    return Category.objects.get(community=None, code="facilities")


@pytest.fixture
def new_appeal(world, category):
    def make(**kw):
        place = kw.pop("place", None) or Place.objects.get(path__startswith=world.building.path, kind=PlaceKind.DWELLING)
        appeal, _created = services.appeal_submit(
            actor=kw.pop("actor", world.user("resident")),
            place=place,
            title=kw.pop("title", "楼道灯坏了"),
            description=kw.pop("description", "3楼楼道的灯不亮了，晚上看不见"),
            channel=kw.pop("channel", "resident"),
            category=kw.pop("category", category),
            **kw,
        )
        return appeal

    return make


@pytest.fixture
def in_progress(world, new_appeal):
    """An appeal signed by the grid worker."""
    a = new_appeal()
    staff = world.user("staff")
    services.appeal_accept(actor=staff, appeal=a)
    services.appeal_dispatch(actor=staff, appeal=a, users=[world.user("gridworker")])
    return services.appeal_sign(actor=world.user("gridworker"), appeal=a)
