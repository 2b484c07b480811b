"""值勤 (issue 23): posts at compound gates, a rota of volunteers, property staff and partner units'
staff, check-in and check-out on the person's phone, and a volunteer's hours following from it,
once."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from linli.registry.models import Place, PlaceKind
from linli.registry.services import organisations
from linli.volunteers import services
from linli.volunteers.models import DutyKind, LedgerEntry
from tests.conftest import race, signed_in


@pytest.fixture
def gate(world, vworld):
    compound = Place.objects.get(kind=PlaceKind.COMPOUND, name="阳光花园")
    return services.duty_post_create(actor=world.user("staff"), compound=compound, name="东门岗")


def shift_for(world, gate, person, *, start_in=timedelta(minutes=10), hours=2):
    start = timezone.now() + start_in
    return services.duty_shift_assign(
        actor=world.user("staff"), post=gate, person=person, starts_at=start, ends_at=start + timedelta(hours=hours)
    )


def test_who_may_stand_duty_and_as_what(world, vworld, gate):
    compound = gate.compound
    assert shift_for(world, gate, vworld.resident).kind == DutyKind.VOLUNTEER
    assert shift_for(world, gate, vworld.unit_staff).kind == DutyKind.PARTNER
    with pytest.raises(ValidationError, match="只能安排"):
        shift_for(world, gate, world.user("property"))  # the property company does not serve this compound yet
    org = world.user("property").role_assignments.get().organisation
    organisations.organisation_update(actor=world.admin, organisation=org, served_compounds=[compound])
    assert shift_for(world, gate, world.user("property")).kind == DutyKind.PROPERTY
    with pytest.raises(ValidationError, match="只能安排"):
        shift_for(world, gate, world.user("gridworker"))  # not a volunteer, not an organisation's staff
    with pytest.raises(PermissionDenied):
        services.duty_shift_assign(
            actor=world.user("far_staff"),
            post=gate,
            person=vworld.resident,
            starts_at=timezone.now(),
            ends_at=timezone.now() + timedelta(hours=1),
        )
    with pytest.raises(ValidationError, match="晚于"):
        shift_for(world, gate, vworld.neighbour, hours=0)
    with pytest.raises(ValidationError, match="同名"):
        services.duty_post_create(actor=world.user("staff"), compound=compound, name="东门岗")


def test_a_volunteer_s_shift_becomes_hours_once(world, vworld, gate):
    shift = shift_for(world, gate, vworld.resident, start_in=timedelta(hours=3))
    with pytest.raises(ValidationError, match="签到"):
        services.duty_check_in(actor=vworld.resident, shift=shift)  # too early
    with pytest.raises(PermissionDenied):
        services.duty_check_in(actor=vworld.neighbour, shift=shift, now=shift.starts_at)  # only the person themself
    shift = services.duty_check_in(actor=vworld.resident, shift=shift, now=shift.starts_at - timedelta(minutes=5))
    with pytest.raises(ValidationError, match="已签到"):
        services.duty_check_in(actor=vworld.resident, shift=shift, now=shift.starts_at)
    shift = services.duty_check_out(actor=vworld.resident, shift=shift, now=shift.starts_at + timedelta(hours=1, minutes=35))
    assert shift.hours == Decimal("1.5")  # counted from the shift's start, rounded down to 0.1 h
    with pytest.raises(ValidationError, match="已签退"):
        services.duty_check_out(actor=vworld.resident, shift=shift, now=shift.ends_at)
    (entry,) = LedgerEntry.objects.filter(volunteer=vworld.v1, source=f"volunteers.duty:{shift.pk}")
    assert entry.hours == Decimal("1.5") and "东门岗" in entry.reason
    vworld.v1.refresh_from_db()
    assert vworld.v1.hours == Decimal("1.5")


def test_a_partner_s_shift_is_recorded_without_volunteer_hours(world, vworld, gate):
    shift = shift_for(world, gate, vworld.unit_staff, start_in=timedelta(0))
    services.duty_check_in(actor=vworld.unit_staff, shift=shift, now=shift.starts_at)
    shift = services.duty_check_out(actor=vworld.unit_staff, shift=shift, now=shift.ends_at + timedelta(hours=1))
    assert shift.hours == Decimal("2.0") and not LedgerEntry.objects.filter(source__startswith="volunteers.duty").exists()


def test_the_rota_page_on_a_phone_and_for_staff(client, world, vworld, gate):
    shift = shift_for(world, gate, vworld.resident, start_in=timedelta(minutes=10))
    signed_in(client, world.user("staff"))
    page = client.get(reverse("volunteers:duty")).content.decode()
    assert "前后一周值勤" in page and "东门岗" in page
    start = (timezone.localtime() + timedelta(days=1)).replace(second=0, microsecond=0)
    url = reverse("volunteers:duty_manage", args=[world.community.pk])
    data = {"form": "shift", "post": gate.pk, "person": vworld.neighbour.pk}
    assert client.post(url, {**data, "starts_at": "明天", "ends_at": "x"}).status_code == 400
    r = client.post(
        url, {**data, "starts_at": start.strftime("%Y-%m-%dT%H:%M"), "ends_at": (start + timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M")}
    )
    assert r.status_code == 302 and vworld.neighbour.duty_shifts.count() == 1
    signed_in(client, vworld.resident)
    mine = client.get(reverse("volunteers:duty")).content.decode()
    assert "我的值勤" in mine and "前后一周值勤" not in mine
    assert client.post(reverse("volunteers:duty_act", args=[shift.pk, "check_in"])).status_code == 302
    signed_in(client, vworld.neighbour)
    assert client.post(reverse("volunteers:duty_act", args=[shift.pk, "check_out"])).status_code == 404  # not theirs
    signed_in(client, world.user("gridworker"))
    assert client.get(reverse("volunteers:duty")).status_code == 404


@pytest.mark.django_db(transaction=True)
def test_checking_out_twice_at_once_credits_once(world, vworld, gate):
    if connection.vendor != "postgresql":
        pytest.skip("concurrent updates race only on PostgreSQL")
    shift = shift_for(world, gate, vworld.resident, start_in=timedelta(minutes=-30))
    shift = services.duty_check_in(actor=vworld.resident, shift=shift)
    results = race(4, lambda i: services.duty_check_out(actor=vworld.resident, shift=shift, now=shift.ends_at))
    assert results.count("ok") == 1
    assert LedgerEntry.objects.filter(source=f"volunteers.duty:{shift.pk}").count() == 1
