"""A community with a repair service, two 乐修匠 craftsmen, a care-only service, a canteen and a room."""

from datetime import time
from decimal import Decimal
from types import SimpleNamespace

import pytest
from django.utils import timezone

from linli.accounts.models import User
from linli.registry.models import CareTag
from linli.resident_services import services
from linli.resident_services.models import Canteen
from tests.conftest import PASSWORD, user_for_resident


def craftsman_user(key: str) -> User:
    return User.objects.create_user(key, password=PASSWORD)


def make_craftsman(world, key: str, *, base=None, skills=("repair",), availability=("weekend",)):
    u = craftsman_user(key)
    p = services.provider_save(
        actor=world.user("staff"), community=world.community, kind="craftsman", name=f"师傅{key}", brand="乐修匠",
        user=u, origin="resident", skills=list(skills), availability=list(availability), base=base,
    )  # fmt: skip
    return u, p


@pytest.fixture
def sworld(world):
    staff = world.user("staff")
    fixer_user, fixer = make_craftsman(world, "fixer", base=world.building)
    other_user, other = make_craftsman(world, "fixer2", base=world.other_building, skills=("haircut",))
    repair = services.service_save(
        actor=staff, community=world.community, name="家电维修", category="repair", skill="repair",
        price=Decimal("0"), providers=[fixer, other],
    )  # fmt: skip
    alone = CareTag.objects.get(code="elderly_alone")
    bathing = services.service_save(
        actor=staff, community=world.community, name="助浴", category="elderly_care", eligibility="care", care_tags=[alone],
    )  # fmt: skip
    canteen = Canteen.objects.create(community=world.community, name="和美长者食堂", lunch_cutoff=time(23, 59), dinner_cutoff=time(23, 59))
    canteen.care_tags.set([alone])
    room = services.room_save(
        actor=staff, community=world.community, name="多功能活动室", kind="function", seats=30, opens_at=time(8, 0), closes_at=time(21, 0)
    )
    neighbour = user_for_resident(world, world.other_resident, "neighbour")
    return SimpleNamespace(
        staff=staff, fixer=fixer, fixer_user=fixer_user, other=other, other_user=other_user, repair=repair, bathing=bathing,
        canteen=canteen, room=room, resident=world.user("resident"), neighbour=neighbour, today=timezone.localdate(),
    )  # fmt: skip
