"""Councils, wishes and grid work tell the people who need to know, through core.notify and in
the same transaction as the change (issue 23: they told nobody)."""

from datetime import timedelta

from django.utils import timezone

from linli.core.models import Notification
from linli.councils import services as councils
from linli.councils.voting import Rule
from linli.gridwork import services as gridwork
from linli.wishes import services as wishes
from tests.councils.builders import council_of, meeting_with_all_present, to_decide
from tests.wishes.test_wishes import photo


def inbox(user, subject_part=""):
    return Notification.objects.filter(recipient=user, channel="in_app", subject__contains=subject_part)


def test_members_are_told_when_a_vote_opens_and_a_resolution_is_published(world):
    staff = world.user("staff")
    council = council_of(world)
    members = [world.user(k) for k in ("secretary", "gridworker", "resident")]
    topic = to_decide(world, councils.topic_propose(actor=staff, council=council, title="增设晾衣杆", source="staff"))
    vote = councils.vote_open(actor=staff, topic=topic, rule=Rule.MAJORITY, meeting=meeting_with_all_present(world, council))
    for m in members:
        (n,) = inbox(m, "议事会表决")
        assert "增设晾衣杆" in n.body and n.link.endswith(f"/councils/topics/{topic.pk}/")
    assert not inbox(staff, "议事会表决").exists()  # the one who opened it
    for member in council.members.all():
        councils.ballot_cast(actor=staff, vote=vote, choice="for", voter_key=f"m{member.pk}")
    vote = councils.vote_close(actor=staff, vote=vote)
    councils.resolution_publish(
        actor=staff,
        topic=topic,
        vote=vote,
        decision="在3栋南侧安装晾衣杆",
        responsible="物业",
        due_on=timezone.localdate() + timedelta(days=30),
    )
    for m in members:
        (n,) = inbox(m, "决议公示")
        assert "在3栋南侧安装晾衣杆" in n.body
    assert not inbox(world.user("far_staff")).exists()


def test_the_resident_is_told_when_their_wish_is_claimed_and_fulfilled(world):
    from linli.accounts.models import Role, User
    from linli.registry.models import CareTag
    from linli.registry.services import roles

    r = world.other_resident
    r.care_tags.add(CareTag.objects.get(code="party_member"))
    claimer = User.objects.create_user("dangyuan", password="x-Strong-pass-1", resident=r)
    roles.role_assign(actor=world.admin, user=claimer, role=Role.RESIDENT, household=r.household)
    wish = wishes.wish_approve(
        actor=world.user("staff"),
        wish=wishes.wish_post(actor=world.user("gridworker"), resident=world.resident, kind="goods", title="想要一台新的厨房排气扇"),
    )
    resident, poster = world.user("resident"), world.user("gridworker")
    wish = wishes.wish_claim(actor=claimer, wish=wish)
    assert inbox(resident, "已被认领").count() == 1 and inbox(poster, "已被认领").count() == 1
    wishes.wish_fulfil(actor=claimer, wish=wish, photo=photo())
    assert inbox(resident, "已送达").count() == 1
    assert not inbox(claimer).exists()


def test_a_resident_without_an_account_is_told_by_sms(world):
    from linli.accounts.models import Role, User
    from linli.registry.models import CareTag
    from linli.registry.services import roles

    r = world.other_resident
    r.care_tags.add(CareTag.objects.get(code="party_member"))
    claimer = User.objects.create_user("dangyuan", password="x-Strong-pass-1", resident=r)
    roles.role_assign(actor=world.admin, user=claimer, role=Role.RESIDENT, household=r.household)
    target = world.resident
    User.objects.filter(resident=target).update(resident=None)
    target.phone = "13900001111"
    target.save()
    wish = wishes.wish_approve(
        actor=world.user("staff"),
        wish=wishes.wish_post(actor=world.user("gridworker"), resident=target, kind="goods", title="想要一台收音机"),
    )
    wishes.wish_claim(actor=claimer, wish=wish)
    assert Notification.objects.filter(channel="sms", subject__contains="已被认领").count() == 1


def test_the_grid_leader_is_told_once_when_a_visit_falls_overdue(world):
    leader = world.user("gridleader")
    later = timezone.localdate(world.household.created_at) + timedelta(days=30)
    assert gridwork.visits_flag_overdue(today=later) >= 1
    (n,) = inbox(leader, "走访超期")
    assert "走访已超期" in n.body and world.resident.name not in n.body
    assert gridwork.visits_flag_overdue(today=later + timedelta(days=1)) == 0  # told once per lapse
    assert inbox(leader, "走访超期").count() == 1
    assert not inbox(world.user("far_gridworker"), "走访超期").exists()
