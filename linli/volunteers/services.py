"""Every change to volunteers, activities, the ledger and the merchant alliance: one function
per action, keyword arguments, in a transaction, checking who may (``access``) and recording
who did it (the audit log, or the ledger entry's actor).

Three races are settled by conditional UPDATEs, the same on SQLite and PostgreSQL: the last
places of an activity (``taken < capacity``), a code confirmed from several devices at once
(``status = issued``), and a balance spent twice at once (``points >= cost``)."""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta
from decimal import ROUND_DOWN, Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F, Sum
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from linli.accounts.models import User
from linli.accounts.scope import scope_for
from linli.core import audit
from linli.core.errors import checked_choices as _choices
from linli.core.notify import notify
from linli.registry.models import CareTag, Organisation, Place, PlaceKind
from linli.volunteers import access, selectors
from linli.volunteers.models import (
    Activity,
    ActivityKind,
    ActivityStatus,
    Availability,
    Campaign,
    EntryKind,
    KindRule,
    LedgerEntry,
    Membership,
    Offer,
    OfferKind,
    Policy,
    Purchase,
    Redemption,
    RedemptionStatus,
    SignUp,
    SignUpStatus,
    Skill,
    Team,
    Volunteer,
    VolunteerStatus,
)

CODE_TTL = timedelta(minutes=15)
CHECKIN_EARLY = timedelta(hours=1)  # the QR opens an hour before the start
CHECKOUT_LATE = timedelta(hours=6)  # and closes six hours after the end
TENTH = Decimal("0.1")
VS = VolunteerStatus
VOLUNTEER_TRANSITIONS = {
    "approve": ({VS.PENDING, VS.REJECTED}, VS.ACTIVE),
    "reject": ({VS.PENDING}, VS.REJECTED),
    "suspend": ({VS.ACTIVE}, VS.SUSPENDED),
    "reinstate": ({VS.SUSPENDED}, VS.ACTIVE),
}


class InvalidState(ValidationError):
    pass


# ---- rules ------------------------------------------------------------------------------------


def policy_save(
    *,
    actor: User,
    community: Place,
    points_per_hour: int,
    max_hours_per_activity: Decimal,
    star_hours: list[int],
    points_valid_months: int = 0,
) -> Policy:
    access.require(access.can_manage(scope_for(actor), community))
    errors = {}
    if not 0 < points_per_hour <= 1000:
        errors["points_per_hour"] = _("每小时积分应在1到1000之间。")
    if not Decimal("0.5") <= Decimal(max_hours_per_activity) <= Decimal("24"):
        errors["max_hours_per_activity"] = _("单次时长上限应在0.5到24小时之间。")
    if not star_hours or len(star_hours) > 5 or any(not 0 < h < 100000 for h in star_hours) or sorted(set(star_hours)) != star_hours:
        errors["star_hours"] = _("星级门槛应为1至5个递增的小时数。")
    if points_valid_months > 120:
        errors["points_valid_months"] = _("有效期不超过120个月。")
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        policy, _created = Policy.objects.select_for_update().get_or_create(community=community)
        fields = ("points_per_hour", "max_hours_per_activity", "star_hours", "points_valid_months")
        before = audit.snapshot(policy, fields)
        policy.points_per_hour = points_per_hour
        policy.max_hours_per_activity = Decimal(max_hours_per_activity)
        policy.star_hours = star_hours
        policy.points_valid_months = points_valid_months
        policy.save()
        audit.record(actor=actor, action="update", target=policy, changes=audit.diff(before, audit.snapshot(policy, fields)))
    return policy


def kind_rule_save(*, actor: User, community: Place, kind: str, points_per_hour: int, bonus_points: int = 0) -> KindRule:
    access.require(access.can_manage(scope_for(actor), community))
    errors = {}
    if kind not in ActivityKind.values:
        errors["kind"] = _("请选择活动类型。")
    if not 0 < points_per_hour <= 1000:
        errors["points_per_hour"] = _("每小时积分应在1到1000之间。")
    if not 0 <= bonus_points <= 1000:
        errors["bonus_points"] = _("加分应在0到1000之间。")
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        rule, _created = KindRule.objects.update_or_create(
            community=community, kind=kind, defaults={"points_per_hour": points_per_hour, "bonus_points": bonus_points}
        )
        audit.record(actor=actor, action="update", target=rule, note=f"{kind} {points_per_hour}/h +{bonus_points}")
    return rule


def campaign_create(*, actor: User, community: Place, name: str, starts_on, ends_on, bonus_percent: int = 0) -> Campaign:
    access.require(access.can_manage(scope_for(actor), community))
    name = (name or "").strip()
    errors = {}
    if not name:
        errors["name"] = _("请填写名称。")
    if ends_on < starts_on:
        errors["ends_on"] = _("结束日期不能早于开始日期。")
    if not 0 <= bonus_percent <= 200:
        errors["bonus_percent"] = _("加成应在0%到200%之间。")
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        campaign = Campaign.objects.create(
            community=community, name=name[:40], starts_on=starts_on, ends_on=ends_on, bonus_percent=bonus_percent
        )
        audit.record(actor=actor, action="create", target=campaign)
    return campaign


# ---- teams and volunteers ------------------------------------------------------------------------


def team_create(*, actor: User, community: Place, name: str, description: str = "", organisation: Organisation | None = None) -> Team:
    access.require(access.can_manage(scope_for(actor), community))
    name = (name or "").strip()
    if not name:
        raise ValidationError({"name": _("请填写队名。")})
    if Team.objects.filter(community=community, name=name).exists():
        raise ValidationError({"name": _("本社区已有同名的志愿服务队。")})
    with transaction.atomic():
        team = Team.objects.create(community=community, name=name[:60], description=(description or "")[:200], organisation=organisation)
        audit.record(actor=actor, action="create", target=team)
    return team


def volunteer_register(
    *, actor: User, skills: list[str], availability: list[str], introduction: str = "", team: Team | None = None
) -> Volunteer:
    """A resident (or a partner unit's staff) registers; staff approve before they serve.
    Registering twice returns the first registration."""
    existing = Volunteer.objects.filter(user=actor).first()
    if existing is not None:
        return existing
    community = access.home_community_for_volunteering(actor)
    access.require(community is not None, _("请先以本社区居民或共建单位人员身份登录。"))
    errors = {}
    skills = _choices(skills, Skill.values, "skills", errors)
    availability = _choices(availability, Availability.values, "availability", errors)
    if not skills:
        errors["skills"] = _("请至少选择一项技能或特长。")
    if team is not None and team.community_id != community.pk:
        errors["team"] = _("该服务队不属于您的社区。")
    if errors:
        raise ValidationError(errors)
    resident = actor.resident if actor.resident_id else None
    organisation = None
    if resident is None:
        organisation = access.buyer_units(scope_for(actor)).filter(place=community).first()
    name = resident.name if resident else (actor.display_name or actor.username)
    try:
        with transaction.atomic():
            volunteer = Volunteer.objects.create(
                user=actor,
                community=community,
                resident=resident,
                organisation=organisation,
                name=name[:50],
                skills=skills,
                availability=availability,
                introduction=(introduction or "").strip()[:200],
            )
            if team is not None:
                Membership.objects.create(team=team, volunteer=volunteer)
            audit.record(actor=actor, action="create", target=volunteer)
    except IntegrityError:  # the same person's second submit, at the same moment
        return Volunteer.objects.get(user=actor)
    access.forget_volunteer(actor)
    return volunteer


def volunteer_review(*, actor: User, volunteer: Volunteer, action: str, note: str = "") -> Volunteer:
    """Approve, reject, suspend or reinstate; the volunteer is told."""
    if action not in VOLUNTEER_TRANSITIONS:
        raise ValidationError({"action": _("无效的操作。")})
    if action in {"reject", "suspend"} and not (note or "").strip():
        raise ValidationError({"note": _("请说明理由。")})
    sources, target = VOLUNTEER_TRANSITIONS[action]
    with transaction.atomic():
        locked = Volunteer.objects.select_for_update().select_related("community").get(pk=volunteer.pk)
        access.require(access.can_review(scope_for(actor), locked))
        if locked.status not in sources:
            raise InvalidState(_("志愿者当前状态为“%(s)s”，不能执行该操作。") % {"s": locked.get_status_display()})
        before = locked.status
        locked.status = target
        locked.status_note = (note or "").strip()[:200]
        locked.reviewed_at = timezone.now()
        locked.save(update_fields=["status", "status_note", "reviewed_at"])
        audit.record(actor=actor, action="update", target=locked, changes={"status": [before, target]}, note=action)
        notify(
            [locked.user],
            subject=_("志愿者注册：%(s)s") % {"s": locked.get_status_display()},
            body=_("您的志愿者身份现为“%(s)s”。%(n)s") % {"s": locked.get_status_display(), "n": locked.status_note},
            link=reverse("volunteers:home"),
        )
    return locked


def membership_set(*, actor: User, volunteer: Volunteer, team: Team, leader: bool = False) -> Membership:
    access.require(access.can_manage(scope_for(actor), team.community))
    if volunteer.community_id != team.community_id:
        raise ValidationError({"team": _("志愿者与服务队不在同一社区。")})
    with transaction.atomic():
        membership, created = Membership.objects.update_or_create(team=team, volunteer=volunteer, defaults={"leader": leader})
        audit.record(actor=actor, action="create" if created else "update", target=volunteer, note=f"{team.name} leader={leader}")
    return membership


def membership_remove(*, actor: User, volunteer: Volunteer, team: Team) -> None:
    access.require(access.can_manage(scope_for(actor), team.community))
    with transaction.atomic():
        Membership.objects.filter(team=team, volunteer=volunteer).delete()
        audit.record(actor=actor, action="delete", target=volunteer, note=team.name)


# ---- activities ------------------------------------------------------------------------------------


def activity_publish(
    *,
    actor: User,
    community: Place,
    kind: str,
    title: str,
    location: str,
    starts_at: datetime,
    ends_at: datetime,
    capacity: int,
    description: str = "",
    team: Team | None = None,
    campaign: Campaign | None = None,
    skills: list[str] = (),
) -> Activity:
    access.require(access.can_publish(scope_for(actor), actor, community, team), _("本社区工作人员或服务队队长可以发布活动。"))
    errors = {}
    title, location = (title or "").strip(), (location or "").strip()
    if not title:
        errors["title"] = _("请填写活动名称。")
    if not location:
        errors["location"] = _("请填写地点。")
    if kind not in ActivityKind.values:
        errors["kind"] = _("请选择活动类型。")
    if ends_at <= starts_at:
        errors["ends_at"] = _("结束时间应晚于开始时间。")
    elif ends_at - starts_at > timedelta(days=2):
        errors["ends_at"] = _("一次活动不超过两天，长期服务请分次发布。")
    if ends_at <= timezone.now():
        errors["ends_at"] = _("结束时间已过。")
    if not 1 <= capacity <= 1000:
        errors["capacity"] = _("招募人数应在1到1000之间。")
    skills = _choices(skills, Skill.values, "skills", errors)
    if campaign is not None and campaign.community_id != community.pk:
        errors["campaign"] = _("主题活动不属于该社区。")
    if team is not None and team.community_id != community.pk:
        errors["team"] = _("服务队不属于该社区。")
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        activity = Activity.objects.create(
            community=community,
            team=team,
            campaign=campaign,
            kind=kind,
            title=title[:60],
            description=(description or "").strip()[:2000],
            location=location[:100],
            starts_at=starts_at,
            ends_at=ends_at,
            capacity=capacity,
            skills=skills,
            organiser=actor,
        )
        audit.record(actor=actor, action="create", target=activity)
    return activity


def _locked_activity(activity: Activity) -> Activity:
    return Activity.objects.select_for_update(of=("self",)).select_related("community", "team", "campaign").get(pk=activity.pk)


def activity_cancel(*, actor: User, activity: Activity, reason: str) -> Activity:
    if not (reason or "").strip():
        raise ValidationError({"reason": _("请说明取消原因。")})
    with transaction.atomic():
        locked = _locked_activity(activity)
        access.require(access.can_organise(scope_for(actor), actor, locked))
        if not access.can_cancel(scope_for(actor), actor, locked):
            raise InvalidState(_("活动已结束或已取消。"))
        locked.status = ActivityStatus.CANCELLED
        locked.save(update_fields=["status"])
        audit.record(actor=actor, action="update", target=locked, changes={"status": ["published", "cancelled"]}, note=reason)
        for signup in locked.signups.filter(status=SignUpStatus.SIGNED).select_related("volunteer__user"):
            notify(
                [signup.volunteer.user],
                subject=_("活动取消：%(t)s") % {"t": locked.title},
                body=_("您报名的“%(t)s”已取消：%(r)s") % {"t": locked.title, "r": reason.strip()},
                link=reverse("volunteers:activity", args=[locked.pk]),
            )
    return locked


def activity_sign_up(*, actor: User, activity: Activity) -> SignUp:
    """Take a place. The UPDATE only matches while a place is left, so of 30 people racing for
    the last 20 places exactly 20 get one; signing up twice keeps the one place."""
    volunteer = access.volunteer_of(actor)
    access.require(access.can_sign_up(actor, activity), _("本社区在册志愿者可以报名。"))
    try:
        with transaction.atomic():
            existing = SignUp.objects.select_for_update().filter(activity=activity, volunteer=volunteer).first()
            if existing is not None and existing.status == SignUpStatus.SIGNED:
                return existing
            won = Activity.objects.filter(
                pk=activity.pk, status=ActivityStatus.PUBLISHED, ends_at__gt=timezone.now(), taken__lt=F("capacity")
            ).update(taken=F("taken") + 1)
            if not won:
                current = Activity.objects.get(pk=activity.pk)
                if current.status != ActivityStatus.PUBLISHED or current.is_over:
                    raise InvalidState(_("活动已结束或已取消。"))
                raise InvalidState(_("名额已满。"))
            if existing is not None:
                existing.status = SignUpStatus.SIGNED
                existing.save(update_fields=["status"])
                signup = existing
            else:
                signup = SignUp.objects.create(activity=activity, volunteer=volunteer)
            notify(
                [actor],
                subject=_("报名成功：%(t)s") % {"t": activity.title},
                body=_("您已报名“%(t)s”，%(w)s在%(p)s，请到场扫码签到。")
                % {"t": activity.title, "w": timezone.localtime(activity.starts_at).strftime("%m-%d %H:%M"), "p": activity.location},
                link=reverse("volunteers:activity", args=[activity.pk]),
            )
    except IntegrityError:  # the same volunteer's two submits at once: the first one holds the place
        return SignUp.objects.get(activity=activity, volunteer=volunteer)
    return signup


def activity_withdraw(*, actor: User, activity: Activity) -> SignUp:
    volunteer = access.volunteer_of(actor)
    access.require(access.can_sign_up(actor, activity))
    with transaction.atomic():
        signup = SignUp.objects.select_for_update().filter(activity=activity, volunteer=volunteer).first()
        if signup is None or signup.status != SignUpStatus.SIGNED:
            raise InvalidState(_("您没有报名这个活动。"))
        if signup.checked_in_at is not None:
            raise InvalidState(_("已签到，不能取消报名。"))
        if activity.starts_at <= timezone.now():
            raise InvalidState(_("活动已开始，不能取消报名。"))
        signup.status = SignUpStatus.WITHDRAWN
        signup.save(update_fields=["status"])
        Activity.objects.filter(pk=activity.pk, taken__gt=0).update(taken=F("taken") - 1)
    return signup


def _hours_between(start: datetime, end: datetime, cap: Decimal) -> Decimal:
    hours = Decimal(max(0.0, (end - start).total_seconds()) / 3600).quantize(TENTH, rounding=ROUND_DOWN)
    return min(hours, cap)


def activity_check(*, actor: User, activity: Activity, token: str, direction: str, now: datetime | None = None) -> SignUp:
    """Check in or out by scanning the QR at the place: the token proves presence. Checking out
    credits the hours (capped by the community's rule) and their points."""
    now = now or timezone.now()
    if direction not in {"in", "out"}:
        raise ValidationError({"direction": _("无效的操作。")})
    if not secrets.compare_digest(str(token or "").encode(), activity.checkin_token.encode()):  # bytes: any text compares
        raise ValidationError({"token": _("二维码无效，请扫描活动现场的签到码。")})
    volunteer = access.volunteer_of(actor)
    with transaction.atomic():
        locked = _locked_activity(activity)
        signup = SignUp.objects.select_for_update().filter(activity=locked, volunteer=volunteer, status=SignUpStatus.SIGNED).first()
        if signup is None:
            raise PermissionDenied(_("您没有报名这个活动。"))
        if locked.status != ActivityStatus.PUBLISHED:
            raise InvalidState(_("活动已取消。"))
        if direction == "in":
            if signup.checked_in_at is not None:
                return signup  # a second scan changes nothing
            if not locked.starts_at - CHECKIN_EARLY <= now <= locked.ends_at:
                raise InvalidState(_("签到时间为活动开始前1小时至活动结束。"))
            signup.checked_in_at = now
            signup.save(update_fields=["checked_in_at"])
            return signup
        if signup.checked_in_at is None:
            raise InvalidState(_("请先签到。"))
        if signup.checked_out_at is not None:
            return signup
        if now > locked.ends_at + CHECKOUT_LATE:
            raise InvalidState(_("签退时间已过，请联系组织者补录。"))
        signup.checked_out_at = now
        signup.save(update_fields=["checked_out_at"])
        _credit(signup=signup, activity=locked, actor=actor, hours=_credited_hours(signup, locked), reason=_("扫码签到签退"))
    return signup


def _credited_hours(signup: SignUp, activity: Activity) -> Decimal:
    cap = selectors.policy(activity.community).max_hours_per_activity
    return _hours_between(signup.checked_in_at, signup.checked_out_at, Decimal(cap))


def attendance_tick(*, actor: User, signup: SignUp, now: datetime | None = None) -> SignUp:
    """The organiser ticks someone without a phone as present: in at the start (or when they
    scanned), out at the end (or now, when the activity runs on)."""
    now = now or timezone.now()
    with transaction.atomic():
        activity = _locked_activity(signup.activity)
        access.require(access.can_organise(scope_for(actor), actor, activity))
        locked = SignUp.objects.select_for_update().get(pk=signup.pk)
        if locked.status != SignUpStatus.SIGNED:
            raise InvalidState(_("该志愿者已取消报名。"))
        if activity.starts_at > now:
            raise InvalidState(_("活动开始后才能登记到场。"))
        if locked.hours is not None:
            raise InvalidState(_("已记录时长；如有出入，请更正。"))
        locked.checked_in_at = locked.checked_in_at or activity.starts_at
        locked.checked_out_at = locked.checked_out_at or min(now, activity.ends_at)
        locked.save(update_fields=["checked_in_at", "checked_out_at"])
        _credit(signup=locked, activity=activity, actor=actor, hours=_credited_hours(locked, activity), reason=_("组织者登记到场"))
    return locked


def points_for(activity: Activity, hours: Decimal) -> int:
    policy = selectors.policy(activity.community)
    rule = KindRule.objects.filter(community_id=activity.community_id, kind=activity.kind).first()
    rate = rule.points_per_hour if rule else policy.points_per_hour
    points = int((hours * rate).to_integral_value(rounding=ROUND_DOWN)) + (rule.bonus_points if rule and hours > 0 else 0)
    if activity.campaign_id and activity.campaign.bonus_percent:
        points = points * (100 + activity.campaign.bonus_percent) // 100
    return points


def _move(volunteer_id: int, *, hours: Decimal, points: int) -> None:
    """Move the running sums with the entry; refused (rolled back) if a sum would go below zero."""
    moved = Volunteer.objects.filter(
        pk=volunteer_id, points__gte=-points if points < 0 else 0, hours__gte=-hours if hours < 0 else 0
    ).update(points=F("points") + points, hours=F("hours") + hours)
    if not moved:
        raise InvalidState(_("积分余额不足。"))


def _entry(*, volunteer_id: int, kind: str, hours=Decimal("0"), points: int = 0, actor=None, reason: str = "", **links) -> LedgerEntry:
    _move(volunteer_id, hours=Decimal(hours), points=points)
    return LedgerEntry.objects.create(
        volunteer_id=volunteer_id, kind=kind, hours=hours, points=points, actor=actor, reason=reason[:200], **links
    )


def _credit(*, signup: SignUp, activity: Activity, actor, hours: Decimal, reason: str) -> LedgerEntry:
    points = points_for(activity, hours)
    signup.hours = hours
    signup.save(update_fields=["hours"])
    return _entry(
        volunteer_id=signup.volunteer_id, kind=EntryKind.EARN, hours=hours, points=points, actor=actor, reason=reason, signup=signup
    )


def hours_correct(*, actor: User, signup: SignUp, hours: Decimal, reason: str) -> SignUp:
    """The organiser corrects an attendance: the credit standing for it is reversed by one entry
    and the corrected credit written by another. Refused when the points are already spent."""
    reason = (reason or "").strip()
    errors = {}
    if not reason:
        errors["reason"] = _("请说明更正理由。")
    try:
        hours = Decimal(hours).quantize(TENTH, rounding=ROUND_DOWN)
    except (ArithmeticError, TypeError, ValueError):
        errors["hours"] = _("请填写时长。")
    with transaction.atomic():
        activity = _locked_activity(signup.activity)
        access.require(access.can_organise(scope_for(actor), actor, activity))
        cap = Decimal(selectors.policy(activity.community).max_hours_per_activity)
        if "hours" not in errors and not Decimal("0") <= hours <= cap:
            errors["hours"] = _("时长应在0到%(c)s小时之间。") % {"c": cap}
        if errors:
            raise ValidationError(errors)
        locked = SignUp.objects.select_for_update().get(pk=signup.pk)
        if locked.status != SignUpStatus.SIGNED:
            raise InvalidState(_("该志愿者已取消报名。"))
        standing = locked.entries.filter(
            reversed_by__isnull=True, reverses__isnull=True, kind__in=[EntryKind.EARN, EntryKind.CORRECT]
        ).first()
        if standing is not None:
            _entry(
                volunteer_id=locked.volunteer_id,
                kind=EntryKind.CORRECT,
                hours=-standing.hours,
                points=-standing.points,
                actor=actor,
                reason=reason,
                signup=locked,
                reverses=standing,
            )
        points = points_for(activity, hours)
        locked.hours = hours
        locked.checked_in_at = locked.checked_in_at or activity.starts_at
        locked.checked_out_at = locked.checked_out_at or activity.ends_at
        locked.save(update_fields=["hours", "checked_in_at", "checked_out_at"])
        _entry(
            volunteer_id=locked.volunteer_id, kind=EntryKind.CORRECT, hours=hours, points=points, actor=actor, reason=reason, signup=locked
        )
        audit.record(
            actor=actor,
            action="update",
            target=locked.volunteer,
            changes={"hours": [str(standing.hours) if standing else None, str(hours)]},
            note=reason,
        )
    return locked


def _months_before(moment: datetime, months: int) -> datetime:
    year, month = divmod(moment.year * 12 + moment.month - 1 - months, 12)
    day = min(moment.day, 28)
    return moment.replace(year=year, month=month + 1, day=day)


def points_expire(*, now: datetime | None = None) -> int:
    """Points older than the community's validity lapse, oldest first: what was earned before
    the cut-off and not yet spent (every debit spends the oldest points first)."""
    now = now or timezone.now()
    expired = 0
    for policy in Policy.objects.filter(points_valid_months__gt=0):
        cutoff = _months_before(now, policy.points_valid_months)
        for vid in Volunteer.objects.filter(community_id=policy.community_id, points__gt=0).values_list("pk", flat=True):
            with transaction.atomic():
                volunteer = Volunteer.objects.select_for_update().get(pk=vid)
                entries = LedgerEntry.objects.filter(volunteer_id=vid)
                old = entries.filter(points__gt=0, created_at__lt=cutoff).aggregate(s=Sum("points"))["s"] or 0
                spent = -(entries.filter(points__lt=0).aggregate(s=Sum("points"))["s"] or 0)
                lapse = min(volunteer.points, max(0, old - spent))
                if lapse > 0:
                    _entry(volunteer_id=vid, kind=EntryKind.EXPIRE, points=-lapse, reason=_("积分超过有效期"))
                    expired += lapse
    return expired


def activities_remind(*, now: datetime | None = None) -> int:
    """A day before: every signed-up volunteer is reminded once (the activity is claimed by a
    conditional UPDATE, so two scans never remind twice)."""
    now = now or timezone.now()
    reminded = 0
    due = Activity.objects.filter(
        status=ActivityStatus.PUBLISHED, reminded_at__isnull=True, starts_at__gt=now, starts_at__lte=now + timedelta(hours=24)
    )
    for pk in list(due.values_list("pk", flat=True)[:200]):
        with transaction.atomic():
            if not Activity.objects.filter(pk=pk, reminded_at__isnull=True).update(reminded_at=now):
                continue
            activity = Activity.objects.get(pk=pk)
            for signup in activity.signups.filter(status=SignUpStatus.SIGNED).select_related("volunteer__user"):
                notify(
                    [signup.volunteer.user],
                    subject=_("活动提醒：%(t)s") % {"t": activity.title},
                    body=_("“%(t)s”将于%(w)s在%(p)s开始，请准时到场扫码签到。")
                    % {"t": activity.title, "w": timezone.localtime(activity.starts_at).strftime("%m-%d %H:%M"), "p": activity.location},
                    link=reverse("volunteers:activity", args=[pk]),
                )
                reminded += 1
    return reminded


# ---- the merchant alliance ----------------------------------------------------------------------------


def offer_save(
    *,
    actor: User,
    merchant: Organisation,
    kind: str,
    title: str,
    description: str = "",
    for_volunteers: bool = True,
    points_cost: int = 0,
    care_tags: list[CareTag] = (),
    per_person_month: int = 1,
    quantity: int | None = None,
    active: bool = True,
    offer: Offer | None = None,
) -> Offer:
    """A merchant's staff (or the community's) put up an offer or change it."""
    access.require(access.can_edit_offer(scope_for(actor), merchant))
    errors = {}
    title = (title or "").strip()
    if merchant.kind != Organisation.Kind.MERCHANT:
        errors["merchant"] = _("只有爱心商户可以发布优惠。")
    if merchant.place.kind != PlaceKind.COMMUNITY:
        errors["merchant"] = _("商户应属于一个社区。")
    if not title:
        errors["title"] = _("请填写优惠名称。")
    if kind not in OfferKind.values:
        errors["kind"] = _("请选择类型。")
    if not for_volunteers and not care_tags:
        errors["care_tags"] = _("请至少选择一类可用人群：志愿者或困难群众。")
    if not 0 <= points_cost <= 100000:
        errors["points_cost"] = _("所需积分应在0到100000之间。")
    if not 1 <= per_person_month <= 31:
        errors["per_person_month"] = _("每人每月次数应在1到31之间。")
    if quantity is not None and not 1 <= quantity <= 100000:
        errors["quantity"] = _("总数量应在1到100000之间。")
    if offer is not None and offer.merchant_id != merchant.pk:
        errors["merchant"] = _("不能改到其他商户名下。")
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        if offer is None:
            offer = Offer(merchant=merchant, community_id=merchant.place_id, created_by=actor)
        else:
            offer = Offer.objects.select_for_update().get(pk=offer.pk)
            if quantity is not None and quantity < offer.used:
                raise ValidationError({"quantity": _("总数量不能少于已使用的%(n)s份。") % {"n": offer.used}})
        offer.kind, offer.title, offer.description = kind, title[:60], (description or "").strip()[:200]
        offer.for_volunteers, offer.points_cost = for_volunteers, points_cost
        offer.per_person_month, offer.quantity, offer.active = per_person_month, quantity, active
        creating = offer.pk is None
        offer.save()
        offer.care_tags.set(care_tags)
        audit.record(actor=actor, action="create" if creating else "update", target=offer)
    return offer


def _month_start(now: datetime) -> datetime:
    return timezone.localtime(now).replace(day=1, hour=0, minute=0, second=0, microsecond=0)


def _used_this_month(offer: Offer, holder_id: int, now: datetime, exclude: int | None = None) -> int:
    qs = Redemption.objects.filter(offer=offer, holder_id=holder_id, status=RedemptionStatus.REDEEMED, redeemed_at__gte=_month_start(now))
    if exclude:
        qs = qs.exclude(pk=exclude)
    return qs.count()


def _cost_for(user, offer: Offer) -> tuple[Volunteer | None, int]:
    """Households in hardship use it free; a volunteer pays the offer's points."""
    if access.care_eligible(user, offer):
        return None, 0
    return Volunteer.objects.filter(user=user).first(), offer.points_cost  # fresh: the balance matters


def code_issue(*, actor: User, offer: Offer, now: datetime | None = None) -> Redemption:
    """A one-time code to show at the shop (15 minutes). Asking again returns the live code."""
    now = now or timezone.now()
    access.require(access.can_issue_code(actor, offer), _("您不在这项优惠的适用人群内。"))
    live = Redemption.objects.filter(offer=offer, holder=actor, status=RedemptionStatus.ISSUED, expires_at__gt=now).first()
    if live is not None:
        return live
    volunteer, cost = _cost_for(actor, offer)
    if volunteer is not None and volunteer.points < cost:
        raise InvalidState(_("积分不足：需要%(c)s分，当前%(b)s分。") % {"c": cost, "b": volunteer.points})
    if offer.quantity is not None and offer.used >= offer.quantity:
        raise InvalidState(_("这项优惠已领完。"))
    if _used_this_month(offer, actor.pk, now) >= offer.per_person_month:
        raise InvalidState(_("本月已用满%(n)s次。") % {"n": offer.per_person_month})
    for _attempt in range(5):
        try:
            with transaction.atomic():
                return Redemption.objects.create(
                    offer=offer,
                    holder=actor,
                    volunteer=volunteer,
                    points=cost,
                    code=f"{secrets.randbelow(10**8):08d}",
                    expires_at=now + CODE_TTL,
                )
        except IntegrityError:  # the same eight digits drawn twice: draw again
            continue
    raise InvalidState(_("请稍后再试。"))


def code_confirm(*, actor: User, code: str, now: datetime | None = None) -> Redemption:
    """The merchant's staff confirm a code on their phone. The code turns redeemed by a
    conditional UPDATE, so ten devices confirming at once redeem it once; the points are
    deducted in the same transaction, or nothing happens at all."""
    now = now or timezone.now()
    code = (code or "").strip()
    if not (len(code) == 8 and code.isascii() and code.isdigit()):
        raise ValidationError({"code": _("核销码为8位数字。")})
    redemption = Redemption.objects.select_related("offer__merchant", "offer__community").filter(code=code).first()
    scope = scope_for(actor)
    # Another shop's code reads as no code at all: codes do not tell what exists elsewhere.
    if redemption is None or not access.can_confirm_at(scope, redemption.offer):
        raise ValidationError({"code": _("核销码无效。")})
    with transaction.atomic():
        won = Redemption.objects.filter(pk=redemption.pk, status=RedemptionStatus.ISSUED, expires_at__gt=now).update(
            status=RedemptionStatus.REDEEMED, redeemed_at=now, confirmed_by=actor
        )
        if not won:
            current = Redemption.objects.get(pk=redemption.pk)
            if current.status == RedemptionStatus.REDEEMED:
                raise InvalidState(_("该码已于%(t)s核销。") % {"t": timezone.localtime(current.redeemed_at).strftime("%H:%M:%S")})
            raise InvalidState(_("核销码已过期，请让对方重新生成。"))
        offer = Offer.objects.select_for_update().get(pk=redemption.offer_id)
        if not offer.active:
            raise InvalidState(_("这项优惠已下架。"))
        if _used_this_month(offer, redemption.holder_id, now, exclude=redemption.pk) >= offer.per_person_month:
            raise InvalidState(_("对方本月已用满%(n)s次。") % {"n": offer.per_person_month})
        left = Offer.objects.filter(pk=offer.pk)
        if offer.quantity is not None:
            left = left.filter(used__lt=F("quantity"))
        if not left.update(used=F("used") + 1):
            raise InvalidState(_("这项优惠已领完。"))
        if redemption.volunteer_id and redemption.points:
            _entry(
                volunteer_id=redemption.volunteer_id,
                kind=EntryKind.REDEEM,
                points=-redemption.points,
                actor=actor,
                reason=offer.title,
                redemption=redemption,
            )
        redemption.refresh_from_db()
        audit.record(actor=actor, action="update", target=redemption, note=f"{offer.merchant.name}: {offer.title}")
        notify(
            [redemption.holder],
            subject=_("已使用：%(t)s") % {"t": offer.title},
            body=_("您在%(m)s使用了“%(t)s”%(p)s。")
            % {
                "m": offer.merchant.name,
                "t": offer.title,
                "p": _("，扣除%(n)s积分") % {"n": redemption.points} if redemption.points else "",
            },
            link=reverse("volunteers:offers"),
        )
    return redemption


def purchase_record(*, actor: User, buyer: Organisation, merchant: Organisation, bought_on, amount: Decimal, items: str) -> Purchase:
    """A partner unit records what it bought from a caring shop (认购)."""
    scope = scope_for(actor)
    access.require(buyer in access.buyer_units(scope) or access.can_manage(scope, buyer.place), _("只能为本单位登记认购。"))
    errors = {}
    items = (items or "").strip()
    if merchant.kind != Organisation.Kind.MERCHANT or merchant.place_id != buyer.place_id:
        errors["merchant"] = _("请选择本社区的爱心商户。")
    try:
        amount = Decimal(amount).quantize(Decimal("0.01"))
    except (ArithmeticError, TypeError, ValueError):
        errors["amount"] = _("请填写金额。")
    else:
        if not Decimal("0.01") <= amount <= Decimal("10000000"):
            errors["amount"] = _("金额应在0.01到10,000,000元之间。")
    if not items:
        errors["items"] = _("请填写认购内容。")
    if bought_on > timezone.localdate():
        errors["bought_on"] = _("认购日期不能晚于今天。")
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        purchase = Purchase.objects.create(
            buyer=buyer,
            merchant=merchant,
            community_id=buyer.place_id,
            bought_on=bought_on,
            amount=amount,
            items=items[:200],
            recorded_by=actor,
        )
        audit.record(actor=actor, action="create", target=purchase, note=f"{buyer.name} → {merchant.name} {amount}")
    return purchase
