"""Notices down the tree: who a node reaches (the registry's count), read receipts, reminders
only to the unread, the building head's stairwell, publishing rights, withdrawal, replies."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from linli.accounts.scope import scope_for
from linli.appeals.models import Appeal
from linli.core.models import Notification
from linli.notices import access, selectors, services
from linli.notices.models import Group, Notice, NoticeStatus, Receipt, Reply
from linli.registry.models import CareTag, Place, Resident

pytestmark = pytest.mark.django_db


def publish(actor, world, **kw):
    kw.setdefault("place", world.community)
    notice, _created = services.notice_publish(
        actor=actor, community=world.community, title=kw.pop("title", "停水通知"), body=kw.pop("body", "明天9点到12点停水"), **kw
    )
    return notice


def registry_count(place):
    return Resident.objects.filter(is_active=True, household__dwelling__path__startswith=place.path).count()


def test_notice_to_a_compound_reaches_exactly_its_registered_residents(world, nworld):
    notice = publish(nworld.staff, world, place=nworld.compound)
    receipts = Receipt.objects.filter(notice=notice)
    assert (
        receipts.count() == registry_count(nworld.compound) == notice.recipients == 7
    )  # 张三, 李四, 3 + 2 new; not the one who moved away
    assert not receipts.filter(resident=nworld.gone).exists()
    assert not receipts.filter(resident=world.far_resident).exists()
    assert set(receipts.values_list("resident_id", flat=True)) == set(
        Resident.objects.filter(is_active=True, household__dwelling__path__startswith=nworld.compound.path).values_list("pk", flat=True)
    )


def test_grid_building_and_stairwell_nodes(world, nworld):
    unit = Place.objects.get(path__startswith=world.building.path, kind="unit")
    assert publish(nworld.staff, world, place=unit).recipients == registry_count(unit) == 4
    assert publish(nworld.staff, world, place=None, grid=world.grid).recipients == 4  # grid 1 holds building 1
    assert publish(nworld.staff, world, place=world.other_building).recipients == 3


def test_groups_follow_their_source(world, nworld):
    tag = CareTag.objects.get(code="elderly_alone")
    by_tag = services.group_save(actor=nworld.staff, community=world.community, name="独居老人", source="tag", tag=tag)
    assert publish(nworld.staff, world, place=None, group=by_tag).recipients == 1  # 张三
    listed = services.group_save(
        actor=nworld.staff, community=world.community, name="楼长联络", source="list", members=nworld.b1_people[:2]
    )
    assert publish(nworld.staff, world, place=None, group=listed).recipients == 2
    with pytest.raises(ValidationError):
        services.group_save(actor=nworld.staff, community=world.community, name="外社区", source="list", members=[world.far_resident])
    with pytest.raises(PermissionDenied):
        services.group_save(actor=world.user("gridworker"), community=world.community, name="x", source="tag", tag=tag)
    # The group's count on the page is the one publishing reaches.
    assert {g.name: g.people for g in selectors.groups(world.community)} == {"独居老人": 1, "楼长联络": 2}


@pytest.mark.parametrize(
    "role,target,allowed",
    [
        ("staff", "community", True),
        ("staff", "compound", True),
        ("secretary", "b2", True),
        ("gridworker", "community", False),
        ("gridworker", "compound", False),
        ("gridworker", "b1", True),
        ("gridworker", "grid", True),
        ("gridworker", "b2", False),
        ("buildinghead", "b1", True),
        ("buildinghead", "b2", False),
        ("buildinghead", "grid", False),
        ("far_staff", "community", False),
        ("resident", "b1", False),
        ("property", "b1", False),
        ("street", "community", False),
    ],
)
def test_who_may_publish_where(world, nworld, role, target, allowed):
    places = {"community": world.community, "compound": nworld.compound, "b1": world.building, "b2": world.other_building}
    kw = {"place": None, "grid": world.grid} if target == "grid" else {"place": places[target]}
    actor = world.user(role)
    if allowed:
        assert publish(actor, world, **kw).pk
    else:
        with pytest.raises(PermissionDenied):
            publish(actor, world, **kw)
        assert not Notice.objects.exists()


def test_double_submit_publishes_once(world, nworld):
    a, created = services.notice_publish(
        actor=nworld.staff, community=world.community, place=world.community, title="t", body="b", idempotency_key="k1"
    )
    b, again = services.notice_publish(
        actor=nworld.staff, community=world.community, place=world.community, title="t", body="b", idempotency_key="k1"
    )
    assert (created, again) == (True, False) and a.pk == b.pk
    assert Notice.objects.count() == 1 and Receipt.objects.count() == a.recipients


@pytest.mark.parametrize("title,body", [("", "b"), ("t", "   "), ("x" * 61, "b"), ("t", "x" * 2001)])
def test_bad_notice_writes_nothing(world, nworld, title, body):
    with pytest.raises(ValidationError):
        services.notice_publish(actor=nworld.staff, community=world.community, place=world.community, title=title, body=body)
    assert not Notice.objects.exists() and not Receipt.objects.exists()


def test_delivery_writes_in_app_and_sms_once(world, nworld, django_capture_on_commit_callbacks):
    Notification.objects.all().delete()
    with django_capture_on_commit_callbacks(execute=True) as hooks:
        notice = publish(nworld.staff, world, place=nworld.compound, sms=True)
    # After the commit: the worker's task; it writes the batch and the outbox's delivery follows its commit.
    assert len(hooks) == 2
    # The immediate task backend delivered on commit: in the app for the two with accounts,
    # by SMS for everyone with a phone (张三, 李四 and building 1's three new people).
    notice.refresh_from_db()
    assert notice.status == NoticeStatus.SENT
    in_app = Notification.objects.filter(channel="in_app", subject=notice.title)
    sms = Notification.objects.filter(channel="sms", subject=notice.title)
    assert set(in_app.values_list("recipient__username", flat=True)) == {"resident", "neighbour"}
    assert sms.count() == 5
    # Each SMS carries its reader's own link, which marks the receipt read: sealed in the row
    # like a one-time code (the stored body names only what it was), dropped once sent.
    read_path = "/notices/r/"
    assert all(read_path not in n.body and notice.body[:10] not in n.body for n in sms)
    assert services.notice_deliver(notice_id=notice.pk) == 0  # claimed once
    assert Notification.objects.filter(subject=notice.title).count() == 7


def test_urgent_goes_by_sms_and_comes_first(world, nworld):
    normal = publish(nworld.staff, world, title="议事会通知")
    urgent = publish(nworld.staff, world, title="停电通知", priority="urgent")
    assert urgent.sms and not normal.sms
    later = publish(nworld.staff, world, title="文明创建")
    order = [n.pk for n in selectors.inbox(scope_for(nworld.resident), nworld.resident)]
    assert order == [urgent.pk, later.pk, normal.pk]


def test_reading_counts_once_and_by_way(world, nworld):
    notice = publish(nworld.staff, world)
    assert services.notice_read(actor=nworld.resident, notice=notice)
    first = Receipt.objects.get(notice=notice, resident=world.resident).read_at
    assert not services.notice_read(actor=nworld.resident, notice=notice)
    assert Receipt.objects.get(notice=notice, resident=world.resident).read_at == first
    r = Receipt.objects.get(notice=notice, resident=nworld.b1_people[0])
    with pytest.raises(PermissionDenied):
        services.notice_read_by_link(receipt=r, signature="0" * 24)
    assert services.notice_read_by_link(receipt=r, signature=services.receipt_signature(r))
    told = Receipt.objects.get(notice=notice, resident=nworld.b1_people[1])
    services.receipt_mark_told(actor=nworld.head, receipt=told)
    figures = selectors.stairwell_figures(scope_for(nworld.staff), notice)
    assert (figures["total"], figures["read"]) == (notice.recipients, 3)
    assert figures["by_via"] == {"app": 1, "link": 1, "door": 1}


def test_building_head_sees_and_marks_only_their_stairwells(world, nworld):
    notice = publish(nworld.staff, world, place=nworld.compound)
    head = scope_for(nworld.head)
    names = {r.resident.name for r in selectors.unread(head, notice)}
    assert names == {"张三", *[p.name for p in nworld.b1_people]}
    figures = selectors.stairwell_figures(head, notice)
    assert [r["unit"].pk for r in figures["rows"]] == [Place.objects.get(path__startswith=world.building.path, kind="unit").pk]
    outside = Receipt.objects.get(notice=notice, resident=world.other_resident)
    with pytest.raises(PermissionDenied):
        services.receipt_mark_told(actor=nworld.head, receipt=outside)
    services.notice_read(actor=nworld.resident, notice=notice)
    assert "张三" not in {r.resident.name for r in selectors.unread(head, notice)}


def test_reminders_go_only_to_the_unread_and_once_an_hour(world, nworld):
    notice = publish(nworld.staff, world, place=nworld.compound, sms=True)
    services.notice_deliver(notice_id=notice.pk)
    services.notice_read(actor=nworld.resident, notice=notice)  # 张三 read it
    Notification.objects.all().delete()
    assert services.notice_remind(actor=nworld.staff, notice=notice) == 6
    reminded = Notification.objects.filter(subject__startswith="【提醒】")
    assert set(reminded.filter(channel="in_app").values_list("recipient__username", flat=True)) == {"neighbour"}
    assert reminded.filter(channel="sms").count() == 4  # building 1's three and 李四; not 张三
    assert not Receipt.objects.filter(notice=notice, read_at__isnull=False, reminders__gt=0).exists()
    assert services.notice_remind(actor=nworld.staff, notice=notice) == 0  # within the hour
    Receipt.objects.filter(notice=notice).update(reminded_at=timezone.now() - timedelta(hours=2))
    # The building head reminds their own stairwell only.
    assert services.notice_remind(actor=nworld.head, notice=notice) == 3
    with pytest.raises(PermissionDenied):
        services.notice_remind(actor=nworld.resident, notice=notice)


def test_withdrawn_notice_leaves_the_inbox(world, nworld):
    notice = publish(nworld.staff, world, place=nworld.compound)
    with pytest.raises(PermissionDenied):
        services.notice_withdraw(actor=world.user("gridworker"), notice=notice, reason="发错了")
    services.notice_withdraw(actor=nworld.staff, notice=notice, reason="发错了")
    assert not access.can_view(scope_for(nworld.resident), nworld.resident, Notice.objects.get(pk=notice.pk))
    assert not selectors.inbox(scope_for(nworld.resident), nworld.resident).exists()
    services.notice_deliver(notice_id=notice.pk)
    with pytest.raises(PermissionDenied):
        services.notice_remind(actor=nworld.staff, notice=Notice.objects.get(pk=notice.pk))


def test_reply_becomes_an_appeal_once(world, nworld):
    notice = publish(nworld.staff, world)
    reply, created = services.reply_post(actor=nworld.resident, notice=notice, text="我家楼道灯也坏了")
    again, created_again = services.reply_post(actor=nworld.resident, notice=notice, text="我家楼道灯也坏了")
    assert created and not created_again and reply.pk == again.pk
    with pytest.raises(PermissionDenied):
        services.reply_post(actor=world.user("far_staff"), notice=notice, text="x")
    with pytest.raises(PermissionDenied):
        services.reply_to_appeal(actor=world.user("gridworker"), reply=reply)
    appeal = services.reply_to_appeal(actor=nworld.staff, reply=reply)
    assert appeal.description == "我家楼道灯也坏了" and appeal.place_id == world.resident.household.dwelling_id
    assert Reply.objects.get(pk=reply.pk).appeal_id == appeal.pk
    with pytest.raises(PermissionDenied):
        services.reply_to_appeal(actor=nworld.staff, reply=Reply.objects.get(pk=reply.pk))
    assert Appeal.objects.filter(description="我家楼道灯也坏了").count() == 1


def test_visible_notices(world, nworld):
    b2_only = publish(nworld.staff, world, place=world.other_building)
    everyone = publish(nworld.staff, world)
    mine = set(access.visible_notices(scope_for(nworld.resident), nworld.resident).values_list("pk", flat=True))
    assert mine == {everyone.pk}
    assert set(access.visible_notices(scope_for(nworld.head), nworld.head).values_list("pk", flat=True)) == {b2_only.pk, everyone.pk}
    assert not access.visible_notices(scope_for(world.user("far_staff")), world.user("far_staff")).exists()
    assert not Group.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_ten_taps_at_once_publish_one_notice(world, nworld):
    from tests.conftest import needs_postgres, race

    needs_postgres()
    results = race(
        10,
        lambda i: services.notice_publish(
            actor=nworld.staff, community=world.community, place=nworld.compound, title="停水", body="周六", idempotency_key="same"
        ),
    )
    assert results.count("ok") == 10  # every tap answered with the one notice
    assert Notice.objects.count() == 1 and Receipt.objects.count() == 7


@pytest.mark.django_db(transaction=True)
def test_ten_reminders_at_once_remind_each_person_once(world, nworld):
    from tests.conftest import needs_postgres, race

    needs_postgres()
    notice = publish(nworld.staff, world, place=nworld.compound)
    services.notice_deliver(notice_id=notice.pk)
    counts = []
    results = race(10, lambda i: counts.append(services.notice_remind(actor=nworld.staff, notice=notice)))
    assert results.count("ok") == 10 and sorted(counts) == [0] * 9 + [7]
    assert sum(Receipt.objects.values_list("reminders", flat=True)) == 7
