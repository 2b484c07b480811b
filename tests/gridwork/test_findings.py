"""随手记 (issue 23, journey a): the place suggested from the typed address and a disagreement
said; the resident whose phone was taken gets the tracking link by SMS and rates without an
account."""

import re

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from hypothesis import given
from hypothesis import strategies as st

from linli.appeals import services as appeals
from linli.appeals.models import Appeal
from linli.core.models import Notification
from linli.gridwork import services
from linli.registry.addresses import agree, normalise, place_named_in
from linli.registry.models import Place, PlaceKind
from tests.conftest import signed_in


@pytest.fixture
def compound(world):
    return Place.objects.get(kind=PlaceKind.COMPOUND, name="阳光花园")


@given(st.text(max_size=40))
def test_normalise_is_idempotent(text):
    assert normalise(normalise(text)) == normalise(text)


@given(st.integers(min_value=1, max_value=99), st.sampled_from(["栋", "号楼", "幢", "号"]), st.text(alphabet="灯坏了楼道门口", max_size=8))
def test_every_spelling_of_a_building_number_is_the_building(n, suffix, rest):
    assert normalise(f"{n}{suffix}{rest}").startswith(f"{n}栋")


def test_the_place_is_read_from_the_text(world, compound):
    places = list(Place.objects.filter(path__startswith=compound.path, kind__in=[PlaceKind.BUILDING, PlaceKind.UNIT]))
    b1 = world.building
    assert place_named_in("一号楼一单元楼道灯坏了", places, home_compound_path=compound.path).address == "阳光花园 1栋 1单元"
    assert place_named_in("阳光花园2号楼门口积水", places).address == "阳光花园 2栋"
    assert place_named_in("12栋门口积水", places, home_compound_path=compound.path) is None  # 12栋 is not 2栋
    assert place_named_in("路灯不亮", places) is None
    assert agree(b1, None) and agree(compound, b1) and not agree(b1, world.other_building)


def test_a_finding_whose_place_disagrees_with_its_text_is_refused_until_confirmed(world, compound):
    worker = world.user("gridworker")
    patrol = services.patrol_start(actor=worker, compound=compound)
    with pytest.raises(ValidationError, match="不一致"):
        services.finding_appeal(actor=worker, patrol=patrol, place=world.building, description="2号楼门口井盖松动")
    assert not Appeal.objects.exists()
    appeal = services.finding_appeal(actor=worker, patrol=patrol, place=None, description="一号楼一单元门口井盖松动")
    assert appeal.place.address == "阳光花园 1栋 1单元"
    unit = Place.objects.get(path__startswith=world.building.path, kind=PlaceKind.UNIT)
    confirmed = services.finding_appeal(
        actor=worker, patrol=patrol, place=unit, description="2号楼的住户反映：这里的井盖也松了", confirm_place=True
    )
    assert confirmed.place == unit
    with pytest.raises(ValidationError, match="请选择地点"):
        services.finding_appeal(actor=worker, patrol=patrol, place=None, description="路边有垃圾")


def test_the_form_suggests_the_place_and_says_when_they_disagree(client, world, compound):
    worker = world.user("gridworker")
    patrol = services.patrol_start(actor=worker, compound=compound)
    signed_in(client, worker)
    url = reverse("gridwork:place_hint") + f"?patrol={patrol.pk}"
    hint = client.post(url, {"description": "2号楼门口井盖松动"}).content.decode()
    assert "data-place-suggested" in hint and "阳光花园 2栋" in hint and "按描述中的地点记为" in hint
    hint = client.post(url, {"description": "2号楼门口井盖松动", "place": world.building.pk}).content.decode()
    assert "data-place-disagree" in hint and "不一致" in hint
    assert client.post(url, {"description": "x\x00", "place": "abc"}).status_code == 400  # a NUL byte: refused, never a 500
    assert client.post(url, {"description": "路灯", "place": "abc"}).status_code == 200
    form = reverse("gridwork:finding", args=["appeal"]) + f"?patrol={patrol.pk}"
    r = client.post(form, {"description": "2号楼门口井盖松动", "place": world.building.pk, "idempotency_key": "k" * 20})
    assert r.status_code == 400 and "不一致" in r.content.decode() and "2号楼门口井盖松动" in r.content.decode()  # nothing lost


def sms_to(phone):
    return [n for n in Notification.objects.filter(channel="sms").order_by("id") if n.phone == phone]  # the phone is encrypted


def test_the_resident_recorded_on_the_spot_gets_the_tracking_link_and_rates(client, world, compound):
    worker, staff = world.user("gridworker"), world.user("staff")
    patrol = services.patrol_start(actor=worker, compound=compound)
    appeal = services.finding_appeal(
        actor=worker, patrol=patrol, place=None, description="1栋1单元楼道灯坏了", reporter_name="刘阿姨", contact_phone="13912345678"
    )
    (sms,) = sms_to("13912345678")
    link = re.search(r"https?://\S+/t/\S+/", sms.text).group(0)
    assert "1栋1单元" not in sms.body  # the link is sealed in the row, never stored in clear
    appeals.appeal_accept(actor=staff, appeal=appeal)
    appeals.appeal_dispatch(actor=staff, appeal=appeal, users=[worker])
    appeals.appeal_sign(actor=worker, appeal=appeal)
    appeals.appeal_resolve(actor=worker, appeal=appeal, result="已更换灯泡")
    assert len(sms_to("13912345678")) >= 2
    path = "/" + link.split("/", 3)[3]
    client.logout()
    assert "已更换灯泡" in client.get(path).content.decode()
    assert client.post(path, {"rate-rating": "5", "rate-comment": "很快"}).status_code == 302
    appeal.refresh_from_db()
    assert appeal.rating == 5
