"""The append-only hours-and-points ledger: credits, reversing corrections, points that lapse oldest first."""

from __future__ import annotations

from datetime import datetime
from decimal import ROUND_DOWN, Decimal

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from linli.accounts.models import User
from linli.accounts.scope import scope_for
from linli.core import audit
from linli.volunteers import access, selectors
from linli.volunteers.models import (
    Activity,
    EntryKind,
    KindRule,
    LedgerEntry,
    Policy,
    SignUp,
    SignUpStatus,
    Volunteer,
)
from linli.volunteers.services.common import TENTH, InvalidState, _locked_activity


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


def hours_credit_for_service(*, actor, volunteer: Volunteer, source: str, hours: Decimal, reason: str) -> LedgerEntry | None:
    """Hours served outside an activity (a service order delivered, a duty shift), credited once
    per ``source`` (a unique index settles a double confirmation); points at the community's
    rate. Returns the new entry, or None when the source was credited already. Called by the
    domain where the service was done, inside its transaction."""
    hours = Decimal(hours).quantize(TENTH)
    if not Decimal("0.1") <= hours <= Decimal("24"):
        raise ValidationError({"hours": _("服务时长应为0.1–24小时。")})
    if not volunteer.is_active:
        return None
    if LedgerEntry.objects.filter(source=source, kind=EntryKind.EARN).exists():
        return None
    rate = selectors.policy(volunteer.community).points_per_hour
    points = int((hours * rate).to_integral_value(rounding=ROUND_DOWN))
    try:
        with transaction.atomic():
            return _entry(
                volunteer_id=volunteer.pk, kind=EntryKind.EARN, hours=hours, points=points, actor=actor, reason=reason, source=source
            )
    except IntegrityError:
        return None


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
