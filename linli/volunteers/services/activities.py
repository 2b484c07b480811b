"""Activities: publish, sign up (the last places never over-filled), QR check-in and check-out, the organiser's roster, reminders a day ahead."""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta
from decimal import ROUND_DOWN, Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from linli.accounts.models import User
from linli.accounts.scope import scope_for
from linli.core import audit
from linli.core.errors import checked_choices as _choices
from linli.core.notify import notify
from linli.registry.models import Place
from linli.volunteers import access, selectors
from linli.volunteers.models import (
    Activity,
    ActivityKind,
    ActivityStatus,
    PointsCampaign,
    SignUp,
    SignUpStatus,
    Skill,
    Team,
)
from linli.volunteers.services.common import TENTH, InvalidState, _locked_activity
from linli.volunteers.services.ledger import _credit

CHECKIN_EARLY = timedelta(hours=1)  # the QR opens an hour before the start
CHECKOUT_LATE = timedelta(hours=6)  # and closes six hours after the end

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
    campaign: PointsCampaign | None = None,
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
