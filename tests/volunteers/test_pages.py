"""Volunteer pages: bad input is a 400 with nothing lost, and no page's query count grows with
its rows (volunteers, sign-ups, ledger entries, offers, merchants)."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from linli.registry import services as registry
from linli.volunteers import services
from linli.volunteers.models import Activity, EntryKind, SignUp, Volunteer
from tests.conftest import signed_in, user_for_resident
from tests.volunteers.conftest import make_volunteer


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


def _more(world, vworld, n, start):
    """n more volunteers, each signed up and credited, each holding a redeemable offer."""
    for i in range(start, start + n):
        hh = registry.household_create(actor=world.admin, dwelling=world.household.dwelling, number=f"Q{i}")
        r = registry.resident_create(actor=world.admin, household=hh, name=f"队员{i}", gender="M")
        user = user_for_resident(world, r, f"q{i}")
        v = make_volunteer(world, user, vworld.team)
        s = SignUp.objects.create(activity=vworld.activity, volunteer=v)
        Activity.objects.filter(pk=vworld.activity.pk).update(taken=vworld.activity.signups.count())
        services._credit(signup=s, activity=vworld.activity, actor=vworld.staff, hours=Decimal("2"), reason="x")
        m = registry.organisation_create(actor=world.admin, place=world.community, kind="merchant", name=f"商户{i}")
        services.offer_save(actor=vworld.staff, merchant=m, kind="gift", title=f"礼品{i}", points_cost=5)
        services.code_issue(actor=vworld.resident, offer=m.offers.get())
        services._entry(volunteer_id=vworld.v1.pk, kind=EntryKind.EARN, hours=Decimal("1"), points=10, reason="x")


def test_query_counts_do_not_grow_with_rows(world, vworld, login):
    staff = login(world.user("staff"))
    services._entry(volunteer_id=vworld.v1.pk, kind=EntryKind.EARN, hours=Decimal("1"), points=500, reason="x")
    s = services.activity_sign_up(actor=vworld.resident, activity=vworld.activity)
    assert s
    c = world.community.pk
    staff_urls = [
        reverse("volunteers:manage", args=[c]),
        reverse("volunteers:activity", args=[vworld.activity.pk]),
        reverse("volunteers:honours", args=[c]),
        reverse("volunteers:figures", args=[c]),
        reverse("volunteers:volunteer", args=[vworld.v1.pk]),
        reverse("volunteers:certificate", args=[vworld.v1.pk]),
    ]
    own_urls = [reverse("volunteers:home"), reverse("volunteers:ledger"), reverse("volunteers:offers"), reverse("volunteers:activities")]
    _more(world, vworld, 2, 0)
    resident = signed_in(Client(), vworld.resident)
    few = [_queries(staff, u) for u in staff_urls] + [_queries(resident, u) for u in own_urls]
    _more(world, vworld, 6, 10)
    many = [_queries(staff, u) for u in staff_urls] + [_queries(resident, u) for u in own_urls]
    assert many == few, list(zip(staff_urls + own_urls, few, many, strict=True))


@pytest.mark.parametrize(
    "name,args,data",
    [
        ("volunteers:register", [], {"skills": ["x\x00"]}),
        ("volunteers:manage_act", ["community", "policy"], {"points_per_hour": "abc", "max_hours_per_activity": "1", "star_hours": "1,a"}),
        ("volunteers:manage_act", ["community", "campaign"], {"name": "x", "starts_on": "2026-13-01", "ends_on": "no"}),
        ("volunteers:signup_act", ["signup", "correct"], {"hours": "1e9", "reason": "\x00"}),
        ("volunteers:merchant_confirm", [], {"code": "1234567\x00"}),
        ("volunteers:purchases", [], {"buyer": "x", "merchant": "1", "amount": "-5", "bought_on": "x", "items": ""}),
    ],
)
def test_bad_input_is_a_400(world, vworld, login, name, args, data):
    services.activity_sign_up(actor=vworld.neighbour, activity=vworld.activity)
    signup = SignUp.objects.get(volunteer=vworld.v2)
    Activity.objects.filter(pk=vworld.activity.pk).update(starts_at=timezone.now() - timedelta(hours=1))
    user = {
        "volunteers:register": world.user("staff"),
        "volunteers:merchant_confirm": vworld.shop,
        "volunteers:purchases": vworld.unit_staff,
    }
    who = user.get(name, vworld.staff)
    if name == "volunteers:register":
        who = vworld.unit_staff
    real = {"community": world.community.pk, "signup": signup.pk}
    url = reverse(name, args=[real.get(a, a) for a in args])
    before = (Volunteer.objects.count(), signup.entries.count())
    response = login(who).post(url, data)
    assert response.status_code == 400
    assert (Volunteer.objects.count(), signup.entries.count()) == before


def test_query_params_are_validated(world, vworld, login):
    client = login(world.user("staff"))
    for url in (
        reverse("volunteers:activities") + "?community=abc",
        reverse("volunteers:honours", args=[world.community.pk]) + "?year=99999",
        reverse("volunteers:figures", args=[world.community.pk]) + "?month=2026-13",
        reverse("volunteers:offer_new") + "?merchant=-1",
    ):
        assert client.get(url).status_code == 400, url
