"""A community with a team, two approved volunteers, a merchant with its staff, and a partner unit."""

from datetime import timedelta
from types import SimpleNamespace

import pytest
from django.utils import timezone

from linli.accounts.models import Role, User
from linli.registry import services as registry
from linli.registry.services import roles
from linli.volunteers import services
from tests.conftest import PASSWORD, user_for_resident


def make_volunteer(world, user, team=None):
    v = services.volunteer_register(actor=user, skills=["repair"], availability=["weekend"], team=team)
    return services.volunteer_review(actor=world.user("staff"), volunteer=v, action="approve")


def staff_user(world, key, role, **anchor):
    u = User.objects.create_user(key, password=PASSWORD)
    roles.role_assign(actor=world.admin, user=u, role=role, **anchor)
    return User.objects.get(pk=u.pk)


@pytest.fixture
def vworld(world):
    staff = world.user("staff")
    team = services.team_create(actor=staff, community=world.community, name="乐修匠维修队")
    resident = world.user("resident")
    neighbour = user_for_resident(world, world.other_resident, "neighbour")
    v1 = make_volunteer(world, resident, team)
    v2 = make_volunteer(world, neighbour)
    merchant = registry.organisation_create(actor=world.admin, place=world.community, kind="merchant", name="悦容美发")
    shop = staff_user(world, "shop", Role.PARTNER_STAFF, organisation=merchant)
    other_merchant = registry.organisation_create(actor=world.admin, place=world.community, kind="merchant", name="老街馄饨")
    other_shop = staff_user(world, "othershop", Role.PARTNER_STAFF, organisation=other_merchant)
    unit = registry.organisation_create(actor=world.admin, place=world.community, kind="partner_unit", name="区供电公司")
    unit_staff = staff_user(world, "unitstaff", Role.PARTNER_STAFF, organisation=unit)
    now = timezone.now()
    activity = services.activity_publish(
        actor=staff,
        community=world.community,
        team=team,
        kind="repair",
        title="义务维修小家电",
        location="社区广场",
        starts_at=now + timedelta(days=1),
        ends_at=now + timedelta(days=1, hours=3),
        capacity=20,
    )
    return SimpleNamespace(
        staff=staff,
        team=team,
        resident=resident,
        neighbour=neighbour,
        v1=v1,
        v2=v2,
        merchant=merchant,
        shop=shop,
        other_merchant=other_merchant,
        other_shop=other_shop,
        unit=unit,
        unit_staff=unit_staff,
        activity=activity,
    )
