"""Volunteers: registration and review, activities' places, QR check-in and the hours it
credits, corrections by reversing entries, points rules, merchant codes and figures."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.utils import timezone

from linli.core.models import Notification
from linli.registry.models import CareTag
from linli.volunteers import selectors, services
from linli.volunteers.models import (
    AppendOnly,
    EntryKind,
    LedgerEntry,
    RedemptionStatus,
    SignUpStatus,
    Volunteer,
    VolunteerStatus,
)
from tests.conftest import race, user_for_resident


def _started(activity, hours_ago=3, length=3):
    """Move an activity into the past without going through publish's 'not over' rule."""
    now = timezone.now()
    type(activity).objects.filter(pk=activity.pk).update(
        starts_at=now - timedelta(hours=hours_ago), ends_at=now - timedelta(hours=hours_ago) + timedelta(hours=length)
    )
    activity.refresh_from_db()
    return activity


def test_register_review_and_who_may(world, vworld):
    gridworker = world.user("gridworker")
    with pytest.raises(PermissionDenied):  # no dwelling, no unit: nowhere to volunteer
        services.volunteer_register(actor=gridworker, skills=["repair"], availability=[])
    with pytest.raises(ValidationError):
        services.volunteer_register(actor=vworld.unit_staff, skills=[], availability=[])
    with pytest.raises(ValidationError):
        services.volunteer_register(actor=vworld.unit_staff, skills=["flying"], availability=[])
    v = services.volunteer_register(actor=vworld.unit_staff, skills=["legal"], availability=["weekend"])
    assert v.status == VolunteerStatus.PENDING and v.organisation == vworld.unit and v.community == world.community
    assert services.volunteer_register(actor=vworld.unit_staff, skills=["legal"], availability=[]) == v  # twice → one
    with pytest.raises(PermissionDenied):
        services.volunteer_review(actor=world.user("far_staff"), volunteer=v, action="approve")
    with pytest.raises(ValidationError):
        services.volunteer_review(actor=vworld.staff, volunteer=v, action="reject", note="")
    v = services.volunteer_review(actor=vworld.staff, volunteer=v, action="approve")
    assert v.status == VolunteerStatus.ACTIVE
    assert Notification.objects.filter(recipient=vworld.unit_staff).exists()
    with pytest.raises(services.InvalidState):
        services.volunteer_review(actor=vworld.staff, volunteer=v, action="approve")
    v = services.volunteer_review(actor=vworld.staff, volunteer=v, action="suspend", note="长期未参加")
    assert v.status == VolunteerStatus.SUSPENDED


def test_only_active_volunteers_of_the_community_sign_up(world, vworld):
    with pytest.raises(PermissionDenied):
        services.activity_sign_up(actor=world.user("gridworker"), activity=vworld.activity)
    services.volunteer_review(actor=vworld.staff, volunteer=vworld.v2, action="suspend", note="暂停")
    with pytest.raises(PermissionDenied):
        services.activity_sign_up(actor=vworld.neighbour, activity=vworld.activity)
    s = services.activity_sign_up(actor=vworld.resident, activity=vworld.activity)
    assert services.activity_sign_up(actor=vworld.resident, activity=vworld.activity) == s  # double submit: one place
    vworld.activity.refresh_from_db()
    assert vworld.activity.taken == 1
    services.activity_withdraw(actor=vworld.resident, activity=vworld.activity)
    vworld.activity.refresh_from_db()
    assert vworld.activity.taken == 0
    s = services.activity_sign_up(actor=vworld.resident, activity=vworld.activity)  # again after withdrawing
    assert s.status == SignUpStatus.SIGNED
    vworld.activity.refresh_from_db()
    assert vworld.activity.taken == 1


def test_publish_is_for_staff_and_the_team_leader(world, vworld):
    now = timezone.now()
    kw = dict(
        kind="elderly",
        title="陪老人聊天",
        location="活动室",
        starts_at=now + timedelta(hours=5),
        ends_at=now + timedelta(hours=7),
        capacity=5,
    )
    with pytest.raises(PermissionDenied):
        services.activity_publish(actor=vworld.resident, community=world.community, team=vworld.team, **kw)
    services.membership_set(actor=vworld.staff, volunteer=vworld.v1, team=vworld.team, leader=True)
    a = services.activity_publish(actor=vworld.resident, community=world.community, team=vworld.team, **kw)
    with pytest.raises(PermissionDenied):  # a leader publishes for their team only
        services.activity_publish(actor=vworld.resident, community=world.community, team=None, **kw)
    with pytest.raises(ValidationError):
        services.activity_publish(actor=vworld.staff, community=world.community, **{**kw, "ends_at": kw["starts_at"]})
    with pytest.raises(ValidationError):
        services.activity_publish(actor=vworld.staff, community=world.community, **{**kw, "capacity": 0})
    assert a.team == vworld.team


def test_full_activity_refuses_and_cancel_tells_everyone(world, vworld):
    now = timezone.now()
    a = services.activity_publish(
        actor=vworld.staff, community=world.community, kind="culture", title="社区春晚彩排", location="礼堂",
        starts_at=now + timedelta(hours=30), ends_at=now + timedelta(hours=32), capacity=1,
    )  # fmt: skip
    services.activity_sign_up(actor=vworld.resident, activity=a)
    with pytest.raises(services.InvalidState):
        services.activity_sign_up(actor=vworld.neighbour, activity=a)
    with pytest.raises(PermissionDenied):
        services.activity_cancel(actor=vworld.neighbour, activity=a, reason="下雨")
    services.activity_cancel(actor=vworld.staff, activity=a, reason="下雨")
    assert Notification.objects.filter(recipient=vworld.resident, subject__contains="活动取消").exists()
    with pytest.raises(services.InvalidState):
        services.activity_sign_up(actor=vworld.neighbour, activity=a)


def test_qr_check_in_out_credits_capped_hours_and_points(world, vworld):
    a = vworld.activity
    services.activity_sign_up(actor=vworld.resident, activity=a)
    with pytest.raises(ValidationError):
        services.activity_check(actor=vworld.resident, activity=a, token="wrong", direction="in")
    with pytest.raises(services.InvalidState):  # a day early
        services.activity_check(actor=vworld.resident, activity=a, token=a.checkin_token, direction="in")
    with pytest.raises(PermissionDenied):  # not signed up
        services.activity_check(actor=vworld.neighbour, activity=a, token=a.checkin_token, direction="in", now=a.starts_at)
    services.policy_save(
        actor=vworld.staff, community=world.community, points_per_hour=10, max_hours_per_activity=Decimal("2.5"), star_hours=[1, 2]
    )
    start = a.starts_at
    s = services.activity_check(actor=vworld.resident, activity=a, token=a.checkin_token, direction="in", now=start - timedelta(minutes=10))
    with pytest.raises(services.InvalidState):
        services.activity_withdraw(actor=vworld.resident, activity=a)
    s = services.activity_check(
        actor=vworld.resident, activity=a, token=a.checkin_token, direction="out", now=start + timedelta(hours=3, minutes=5)
    )
    assert s.hours == Decimal("2.5")  # 3 h 15 min, capped at the community's 2.5 h
    v = Volunteer.objects.get(pk=vworld.v1.pk)
    assert v.hours == Decimal("2.5") and v.points == 25
    again = services.activity_check(
        actor=vworld.resident, activity=a, token=a.checkin_token, direction="out", now=start + timedelta(hours=4)
    )
    assert again.hours == Decimal("2.5") and LedgerEntry.objects.filter(volunteer=v).count() == 1  # a second scan credits nothing
    assert selectors.star_level(v.hours, selectors.policy(world.community).star_hours) == 2


def test_kind_rules_and_campaign_bonus(world, vworld):
    now = timezone.now()
    services.kind_rule_save(actor=vworld.staff, community=world.community, kind="elderly", points_per_hour=20, bonus_points=5)
    leifeng = services.campaign_create(
        actor=vworld.staff,
        community=world.community,
        name="雷锋月",
        starts_on=now.date(),
        ends_on=now.date() + timedelta(days=30),
        bonus_percent=50,
    )
    a = services.activity_publish(
        actor=vworld.staff, community=world.community, kind="elderly", title="助老理发", location="活动室",
        starts_at=now + timedelta(hours=1), ends_at=now + timedelta(hours=3), capacity=5, campaign=leifeng,
    )  # fmt: skip
    assert services.points_for(a, Decimal("2.0")) == (2 * 20 + 5) * 150 // 100
    plain = vworld.activity  # kind repair: the community's default 10 an hour, no campaign
    assert services.points_for(plain, Decimal("1.5")) == 15


def test_organiser_ticks_and_corrects_by_reversing_entries(world, vworld):
    a = vworld.activity
    s = services.activity_sign_up(actor=vworld.neighbour, activity=a)
    with pytest.raises(services.InvalidState):  # not started yet
        services.attendance_tick(actor=vworld.staff, signup=s)
    a = _started(a, hours_ago=4, length=3)
    with pytest.raises(PermissionDenied):
        services.attendance_tick(actor=vworld.neighbour, signup=s)
    s = services.attendance_tick(actor=vworld.staff, signup=s)
    assert s.hours == Decimal("3.0")
    with pytest.raises(services.InvalidState):
        services.attendance_tick(actor=vworld.staff, signup=s)
    with pytest.raises(ValidationError):
        services.hours_correct(actor=vworld.staff, signup=s, hours=Decimal("2"), reason="")
    with pytest.raises(ValidationError):
        services.hours_correct(actor=vworld.staff, signup=s, hours=Decimal("99"), reason="写错了")
    s = services.hours_correct(actor=vworld.staff, signup=s, hours=Decimal("2"), reason="提前离开")
    s = services.hours_correct(actor=vworld.staff, signup=s, hours=Decimal("2.5"), reason="核对签到表")
    v = Volunteer.objects.get(pk=vworld.v2.pk)
    entries = list(LedgerEntry.objects.filter(volunteer=v).order_by("id"))
    assert [(e.kind, e.hours, e.points) for e in entries] == [
        (EntryKind.EARN, Decimal("3.0"), 30),
        (EntryKind.CORRECT, Decimal("-3.0"), -30),
        (EntryKind.CORRECT, Decimal("2.0"), 20),
        (EntryKind.CORRECT, Decimal("-2.0"), -20),
        (EntryKind.CORRECT, Decimal("2.5"), 25),
    ]
    assert entries[1].reverses == entries[0] and entries[3].reverses == entries[2]
    assert v.hours == Decimal("2.5") == sum(e.hours for e in entries) and v.points == 25
    with pytest.raises(AppendOnly):
        entries[0].save()
    with pytest.raises(AppendOnly):
        entries[0].delete()


def _offer(vworld, **kw):
    defaults = dict(kind="free_service", title="爱心义剪", points_cost=20, per_person_month=2)
    return services.offer_save(actor=vworld.shop, merchant=vworld.merchant, **{**defaults, **kw})


def _earn(volunteer, points):
    services._entry(volunteer_id=volunteer.pk, kind=EntryKind.EARN, hours=Decimal("1"), points=points, reason="测试")


def test_offer_code_confirm_deducts_points_once(world, vworld):
    offer = _offer(vworld)
    with pytest.raises(PermissionDenied):  # only the merchant's staff or the community's
        services.offer_save(actor=vworld.other_shop, merchant=vworld.merchant, kind="gift", title="x")
    with pytest.raises(services.InvalidState):  # no points yet
        services.code_issue(actor=vworld.resident, offer=offer)
    _earn(vworld.v1, 50)
    code = services.code_issue(actor=vworld.resident, offer=offer)
    assert services.code_issue(actor=vworld.resident, offer=offer) == code  # asking twice: the same code
    assert len(code.code) == 8 and code.status == RedemptionStatus.ISSUED
    with pytest.raises(ValidationError):  # another shop: as if there were no such code
        services.code_confirm(actor=vworld.other_shop, code=code.code)
    with pytest.raises(ValidationError):
        services.code_confirm(actor=vworld.shop, code="12ab")
    done = services.code_confirm(actor=vworld.shop, code=code.code)
    assert done.status == RedemptionStatus.REDEEMED and done.confirmed_by == vworld.shop
    with pytest.raises(services.InvalidState):
        services.code_confirm(actor=vworld.shop, code=code.code)
    v = Volunteer.objects.get(pk=vworld.v1.pk)
    assert v.points == 30 and LedgerEntry.objects.filter(volunteer=v, kind=EntryKind.REDEEM, points=-20).count() == 1
    offer.refresh_from_db()
    assert offer.used == 1


def test_code_expires_and_monthly_limit(world, vworld):
    offer = _offer(vworld, per_person_month=1)
    _earn(vworld.v1, 100)
    code = services.code_issue(actor=vworld.resident, offer=offer)
    with pytest.raises(services.InvalidState):
        services.code_confirm(actor=vworld.shop, code=code.code, now=timezone.now() + timedelta(minutes=16))
    services.code_confirm(actor=vworld.shop, code=code.code)
    with pytest.raises(services.InvalidState):
        services.code_issue(actor=vworld.resident, offer=offer)


def test_hardship_households_use_care_offers_free(world, vworld):
    low = CareTag.objects.get(code="elderly_alone")
    offer = _offer(vworld, for_volunteers=False, care_tags=[low], points_cost=0, title="爱心午餐")
    with pytest.raises(PermissionDenied):  # 李四 has no care tag and the offer is not for volunteers
        services.code_issue(actor=vworld.neighbour, offer=offer)
    code = services.code_issue(actor=vworld.resident, offer=offer)  # 张三 lives alone
    done = services.code_confirm(actor=vworld.shop, code=code.code)
    assert done.points == 0 and done.volunteer is None
    assert Volunteer.objects.get(pk=vworld.v1.pk).points == 0


def test_offer_quantity_runs_out(world, vworld):
    offer = _offer(vworld, quantity=1, points_cost=0)
    a = services.code_issue(actor=vworld.resident, offer=offer)
    b = services.code_issue(actor=vworld.neighbour, offer=offer)
    services.code_confirm(actor=vworld.shop, code=a.code)
    with pytest.raises(services.InvalidState):
        services.code_confirm(actor=vworld.shop, code=b.code)
    assert Volunteer.objects.get(pk=vworld.v2.pk).points == 0


def test_points_expire_oldest_first(world, vworld):
    services.policy_save(
        actor=vworld.staff,
        community=world.community,
        points_per_hour=10,
        max_hours_per_activity=Decimal("8"),
        star_hours=[100],
        points_valid_months=12,
    )
    v = vworld.v1
    old = timezone.now() - timedelta(days=500)
    for points, when in ((40, old), (30, timezone.now())):
        services._move(v.pk, hours=Decimal("1"), points=points)
        LedgerEntry.objects.create(volunteer=v, kind=EntryKind.EARN, hours=Decimal("1"), points=points, created_at=when)
    services._entry(volunteer_id=v.pk, kind=EntryKind.REDEEM, points=-25)  # spends 25 of the old 40
    assert services.points_expire() == 15
    assert services.points_expire() == 0  # nothing twice
    assert Volunteer.objects.get(pk=v.pk).points == 30


def test_purchases_are_recorded_by_the_unit(world, vworld):
    from datetime import date

    with pytest.raises(PermissionDenied):
        services.purchase_record(
            actor=vworld.shop, buyer=vworld.unit, merchant=vworld.merchant, bought_on=date.today(), amount="100", items="米面"
        )
    with pytest.raises(ValidationError):
        services.purchase_record(
            actor=vworld.unit_staff, buyer=vworld.unit, merchant=vworld.merchant, bought_on=date.today(), amount="-1", items="米面"
        )
    with pytest.raises(ValidationError):
        services.purchase_record(
            actor=vworld.unit_staff, buyer=vworld.unit, merchant=vworld.unit, bought_on=date.today(), amount="1", items="米面"
        )
    p = services.purchase_record(
        actor=vworld.unit_staff, buyer=vworld.unit, merchant=vworld.merchant, bought_on=date.today(), amount="1234.5", items="粮油"
    )
    assert p.amount == Decimal("1234.50")
    rows = {r["merchant"].name: r for r in selectors.merchant_month(world.community, date.today().year, date.today().month)}
    assert rows["悦容美发"]["amount"] == Decimal("1234.50") and rows["悦容美发"]["purchases"] == 1


def test_reminder_once_a_day_before(world, vworld):
    services.activity_sign_up(actor=vworld.resident, activity=vworld.activity)
    before = Notification.objects.filter(recipient=vworld.resident).count()
    assert services.activities_remind(now=timezone.now() - timedelta(hours=2)) == 0  # more than a day ahead
    later = timezone.now() + timedelta(hours=2)
    assert services.activities_remind(now=later) == 1
    assert services.activities_remind(now=later) == 0
    assert Notification.objects.filter(recipient=vworld.resident).count() == before + 2  # in-app and WeChat


def test_rankings_and_figures(world, vworld):
    a = _started(vworld.activity)
    # Past activities take no sign-ups; attendances of the past are entered as the organiser saw them.
    from linli.volunteers.models import SignUp

    for volunteer, hours in ((vworld.v1, "3"), (vworld.v2, "1.5")):
        s = SignUp.objects.create(activity=a, volunteer=volunteer)
        services.hours_correct(actor=vworld.staff, signup=s, hours=Decimal(hours), reason="补录")
    rows = selectors.rankings(world.community, year=timezone.localdate().year)
    assert [(r["volunteer__name"], r["hours"]) for r in rows] == [("张三", Decimal("3.0")), ("李四", Decimal("1.5"))]
    assert [r["volunteer__name"] for r in selectors.rankings(world.community, team=vworld.team)] == ["张三", "李四"]
    teams = list(selectors.team_rankings(world.community))
    assert teams[0] == vworld.team and teams[0].hours == Decimal("4.5")
    f = selectors.figures(world.community)
    assert f["volunteers"] == 2 and f["hours"] == Decimal("4.5") and f["points_earned"] == 45


# ---- PostgreSQL races -------------------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_thirty_signups_for_twenty_places(world):
    if connection.vendor != "postgresql":
        pytest.skip("concurrency is tested on PostgreSQL")
    w = world
    from tests.volunteers.conftest import make_volunteer

    staff = w.user("staff")
    users = []
    for i in range(30):
        from linli.registry import services as registry

        hh = registry.household_create(actor=w.admin, dwelling=w.household.dwelling, number=f"V{i}")
        r = registry.resident_create(actor=w.admin, household=hh, name=f"志愿者{i}", gender="F")
        u = user_for_resident(w, r, f"vol{i}")
        make_volunteer(w, u)
        users.append(u)
    now = timezone.now()
    a = services.activity_publish(
        actor=staff, community=w.community, kind="environment", title="清理楼道", location="阳光花园",
        starts_at=now + timedelta(hours=5), ends_at=now + timedelta(hours=7), capacity=20,
    )  # fmt: skip
    results = race(30, lambda i: services.activity_sign_up(actor=users[i], activity=a))
    a.refresh_from_db()
    assert results.count("ok") == 20 and a.taken == 20
    assert a.signups.filter(status=SignUpStatus.SIGNED).count() == 20


@pytest.mark.django_db(transaction=True)
def test_one_code_confirmed_on_ten_devices(world):
    if connection.vendor != "postgresql":
        pytest.skip("concurrency is tested on PostgreSQL")
    from linli.accounts.models import Role
    from linli.registry import services as registry
    from tests.volunteers.conftest import make_volunteer, staff_user

    w = world
    merchant = registry.organisation_create(actor=w.admin, place=w.community, kind="merchant", name="悦容美发")
    devices = [staff_user(w, f"shop{i}", Role.PARTNER_STAFF, organisation=merchant) for i in range(10)]
    v = make_volunteer(w, w.user("resident"))
    _earn(v, 100)
    offer = services.offer_save(actor=devices[0], merchant=merchant, kind="free_service", title="爱心义剪", points_cost=30)
    code = services.code_issue(actor=w.user("resident"), offer=offer)
    results = race(10, lambda i: services.code_confirm(actor=devices[i], code=code.code))
    assert results.count("ok") == 1
    assert Volunteer.objects.get(pk=v.pk).points == 70
    assert LedgerEntry.objects.filter(volunteer=v, kind=EntryKind.REDEEM).count() == 1


@pytest.mark.django_db(transaction=True)
def test_balance_never_below_zero_under_concurrent_redemptions(world):
    if connection.vendor != "postgresql":
        pytest.skip("concurrency is tested on PostgreSQL")
    from linli.accounts.models import Role
    from linli.registry import services as registry
    from tests.volunteers.conftest import make_volunteer, staff_user

    w = world
    merchants, codes = [], []
    v = make_volunteer(w, w.user("resident"))
    _earn(v, 100)
    for i in range(8):
        m = registry.organisation_create(actor=w.admin, place=w.community, kind="merchant", name=f"商户{i}")
        shop = staff_user(w, f"shop{i}", Role.PARTNER_STAFF, organisation=m)
        offer = services.offer_save(actor=shop, merchant=m, kind="gift", title=f"礼品{i}", points_cost=30)
        merchants.append(shop)
        codes.append(services.code_issue(actor=w.user("resident"), offer=offer))
    results = race(8, lambda i: services.code_confirm(actor=merchants[i], code=codes[i].code))
    v.refresh_from_db()
    assert results.count("ok") == 3 and v.points == 10
    assert v.points == sum(LedgerEntry.objects.filter(volunteer=v).values_list("points", flat=True))


def test_a_token_in_any_script_is_refused_not_an_error(world, vworld):
    services.activity_sign_up(actor=vworld.resident, activity=vworld.activity)
    with pytest.raises(ValidationError):
        services.activity_check(actor=vworld.resident, activity=vworld.activity, token="签到码", direction="in")
