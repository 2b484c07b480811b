"""The notice pages: each renders for its people, query counts do not grow with people or
notices, bad input is a 400 with nothing written, and the SMS link reads without a login."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from linli.notices import services
from linli.notices.models import Notice, Receipt
from tests.conftest import signed_in
from tests.notices.conftest import add_people

pytestmark = pytest.mark.django_db


def publish(world, nworld, **kw):
    kw.setdefault("place", nworld.compound)
    n, _ = services.notice_publish(actor=nworld.staff, community=world.community, title="停水通知", body="明天停水", **kw)
    services.notice_deliver(notice_id=n.pk)
    return n


def test_pages_render(client, world, nworld):
    n = publish(world, nworld)
    services.reply_post(actor=nworld.resident, notice=n, text="几点来水？")
    pages = [
        (nworld.resident, reverse("notices:inbox")),
        (nworld.resident, reverse("notices:notice", args=[n.pk])),
        (nworld.staff, reverse("notices:inbox")),
        (nworld.staff, reverse("notices:new", args=[world.community.pk])),
        (nworld.staff, reverse("notices:notice", args=[n.pk])),
        (nworld.staff, reverse("notices:unread", args=[n.pk])),
        (nworld.staff, reverse("notices:groups", args=[world.community.pk])),
        (nworld.head, reverse("notices:unread", args=[n.pk])),
        (nworld.head, reverse("notices:new", args=[world.community.pk])),
    ]
    for user, url in pages:
        signed_in(client, user)
        r = client.get(url)
        assert r.status_code == 200, (user, url)
    assert Receipt.objects.get(notice=n, resident=world.resident).read_via == "app"


def test_publish_page_flow_and_double_submit(client, world, nworld):
    signed_in(client, nworld.staff)
    data = {
        "target": f"place:{nworld.compound.pk}",
        "title": "停电通知",
        "body": "周六停电",
        "priority": "urgent",
        "idempotency_key": "abc",
    }
    r1 = client.post(reverse("notices:new", args=[world.community.pk]), data)
    r2 = client.post(reverse("notices:new", args=[world.community.pk]), data)
    assert r1.status_code == r2.status_code == 302
    n = Notice.objects.get()
    assert n.is_urgent and n.sms and n.recipients == 7


@pytest.mark.parametrize(
    "data",
    [
        {"target": "place:999999", "title": "t", "body": "b"},
        {"target": "grid:x", "title": "t", "body": "b"},
        {"target": "place:1", "title": "t\x00", "body": "b"},
        {"target": "place:1", "title": "", "body": "b"},
        {"target": "place:1", "title": "t", "body": "b", "priority": "huge"},
    ],
)
def test_bad_publish_is_400_and_writes_nothing(client, world, nworld, data):
    signed_in(client, nworld.staff)
    data = {**data, "idempotency_key": "k"}
    if data["target"] == "place:1":
        data["target"] = f"place:{nworld.compound.pk}"
    r = client.post(reverse("notices:new", args=[world.community.pk]), data)
    assert r.status_code == 400
    assert not Notice.objects.exists()


@pytest.mark.parametrize("query", ["unit=abc", "unit=0", "page=-1", "unit=99999999999999999999"])
def test_bad_query_is_400(client, world, nworld, query):
    n = publish(world, nworld)
    signed_in(client, nworld.staff)
    r = client.get(reverse("notices:unread", args=[n.pk]) + "?" + query)
    assert r.status_code == 400


def test_read_link_without_login(client, world, nworld):
    n = publish(world, nworld, sms=True)
    r = Receipt.objects.get(notice=n, resident=nworld.b1_people[0])
    assert client.get(reverse("notices:read_link", args=[r.pk, "bad"])).status_code == 404
    assert Receipt.objects.get(pk=r.pk).read_at is None
    url = reverse("notices:read_link", args=[r.pk, services.receipt_signature(r)])
    page = client.get(url)  # what a link preview does too
    assert page.status_code == 200 and "明天停水" in page.content.decode() and "收到" in page.content.decode()
    assert Receipt.objects.get(pk=r.pk).read_at is None
    assert client.post(reverse("notices:read_link", args=[r.pk, "bad"])).status_code == 404
    done = client.post(url)
    assert done.status_code == 200 and "已记录您已阅读" in done.content.decode()
    assert Receipt.objects.get(pk=r.pk).read_via == "link"


def test_outsiders_get_404(client, world, nworld):
    n = publish(world, nworld, place=world.other_building)
    for user in (nworld.resident, world.user("far_staff"), world.user("property")):
        signed_in(client, user)
        assert client.get(reverse("notices:notice", args=[n.pk])).status_code == 404
    signed_in(client, nworld.resident)
    assert client.get(reverse("notices:unread", args=[n.pk])).status_code == 404
    assert client.get(reverse("notices:new", args=[world.community.pk])).status_code == 404


def _count(client, user, url):
    signed_in(client, user)
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx)


@pytest.mark.parametrize(
    "who,page",
    [("staff", "notice"), ("head", "unread"), ("staff", "unread"), ("staff", "inbox"), ("resident", "inbox"), ("staff", "groups")],
)
def test_query_counts_do_not_grow(client, world, nworld, who, page):
    def url(n):
        return {
            "notice": reverse("notices:notice", args=[n.pk]),
            "unread": reverse("notices:unread", args=[n.pk]),
            "inbox": reverse("notices:inbox"),
            "groups": reverse("notices:groups", args=[world.community.pk]),
        }[page]

    user = getattr(nworld, who)
    n = publish(world, nworld)
    services.group_save(actor=nworld.staff, community=world.community, name="独居", source="tag", tag=world.resident.care_tags.first())
    before = _count(client, user, url(n))
    add_people(world, world.building, 6, prefix="新住户")
    add_people(world, world.other_building, 6, prefix="新住户")
    n2 = publish(world, nworld)
    publish(world, nworld, place=world.building)
    services.group_save(actor=nworld.staff, community=world.community, name="楼长", source="list", members=nworld.b1_people)
    services.reply_post(actor=nworld.resident, notice=n2, text="好的")
    services.reply_post(actor=nworld.neighbour, notice=n2, text="收到")
    assert _count(client, user, url(n2)) == before


def test_the_member_picker_finds_people_by_name_and_builds_a_list_group(client, world, nworld):
    """A hand-kept group is picked from the registry, not typed as record numbers: people of this
    community found by name (住户0…), added one by one; a whole phone number is the registry's
    audited search, not the picker's; the other community's people are never offered."""
    from linli.notices.models import Group

    url = reverse("notices:people", args=[world.community.pk])
    signed_in(client, nworld.head)  # follows notices, does not keep groups
    assert client.get(url, {"q": "住户"}).status_code == 404
    signed_in(client, nworld.staff)
    text = client.get(url, {"q": "住户"}).content.decode()
    assert all(p.name in text for p in nworld.b1_people + nworld.b2_people)
    assert "远方" not in client.get(url, {"q": "远方"}).content.decode()  # the other community's people
    assert "迁出" not in client.get(url, {"q": "迁出"}).content.decode()  # moved away: not 在册
    whole = client.get(url, {"q": "13500001000"}).content.decode()
    assert "完整号码" in whole and "住户" not in whole
    for bad in ({"q": "x" * 31}, {"pick": "abc"}, {"q": "a\x00"}):
        assert client.get(url, bad).status_code == 400
    far = type(nworld.b1_people[0]).objects.get(name="远方0")
    assert client.get(url, {"pick": far.pk}).status_code == 404
    chip = client.get(url, {"pick": nworld.b1_people[0].pk}).content.decode()
    assert f'name="members" value="{nworld.b1_people[0].pk}" checked' in chip
    groups = reverse("notices:groups", args=[world.community.pk])
    chosen = [nworld.b1_people[0].pk, nworld.b2_people[1].pk]
    refused = client.post(groups, {"name": "", "source": "list", "members": chosen})
    assert refused.status_code == 400 and nworld.b2_people[1].name in refused.content.decode()  # still picked
    assert client.post(groups, {"name": "楼道志愿者", "source": "list", "members": [*chosen, "x"]}).status_code == 400
    assert client.post(groups, {"name": "楼道志愿者", "source": "list", "members": [*chosen, far.pk]}).status_code == 400
    assert client.post(groups, {"name": "楼道志愿者", "source": "list", "members": chosen}).status_code == 302
    assert set(Group.objects.get(name="楼道志愿者").members.values_list("pk", flat=True)) == set(chosen)
