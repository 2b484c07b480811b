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
    page = client.get(reverse("notices:read_link", args=[r.pk, services.receipt_signature(r)]))
    assert page.status_code == 200 and "明天停水" in page.content.decode()
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
