"""值勤: duty posts at compound gates and the rota of who stands them — volunteers, the property
company's staff, partner units' staff — checked in and out on the person's phone. A volunteer's
hours follow from the shift (credited once, through the ledger)."""

from __future__ import annotations

from datetime import timedelta
from decimal import ROUND_DOWN, Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from linli.accounts.models import User
from linli.accounts.scope import scope_for
from linli.core import audit
from linli.core.errors import required_text
from linli.registry.models import Place, PlaceKind
from linli.volunteers import access
from linli.volunteers.models import DutyKind, DutyPost, DutyShift, Volunteer
from linli.volunteers.services.common import InvalidState
from linli.volunteers.services.ledger import hours_credit_for_service

CHECK_IN_EARLY = timedelta(minutes=30)
CHECK_OUT_LATE = timedelta(hours=2)
MAX_SHIFT = timedelta(hours=12)


def duty_post_create(*, actor: User, compound: Place, name: str) -> DutyPost:
    if compound.kind != PlaceKind.COMPOUND:
        raise ValidationError({"compound": _("值勤岗须设在小区。")})
    community = Place.objects.get(pk=compound.community_id)
    if not access.can_manage_duty(scope_for(actor), community):
        raise PermissionDenied(_("只有社区工作人员可以设置值勤岗。"))
    name = required_text(name, "name", 40, _("请填写岗位名称。"))
    try:
        with transaction.atomic():
            post = DutyPost.objects.create(community=community, compound=compound, name=name)
            audit.record(actor=actor, action="create", target=post, changes={"name": [None, name]})
    except IntegrityError:
        raise ValidationError({"name": _("该小区已有同名岗位。")}) from None
    return post


def duty_shift_assign(*, actor: User, post: DutyPost, person: User, starts_at, ends_at, now=None) -> DutyShift:
    """排班: one person, one post, one span; who they stand as follows from who they are. ``now``
    is when it is done (the demo's history passes its own)."""
    now = now or timezone.now()
    if not access.can_manage_duty(scope_for(actor), post.community):
        raise PermissionDenied(_("只有社区工作人员可以排班。"))
    errors = {}
    if not post.active:
        errors["post"] = _("该岗位已停用。")
    if ends_at <= starts_at:
        errors["ends_at"] = _("结束时间须晚于开始时间。")
    elif ends_at - starts_at > MAX_SHIFT:
        errors["ends_at"] = _("一个班次不超过12小时。")
    if ends_at < now:
        errors["starts_at"] = _("不能为已结束的时段排班。")
    kind = access.duty_kind_of(person, post)
    if kind is None:
        errors["person"] = _("只能安排本社区在册志愿者、服务本小区的物业人员或本社区共建单位人员值勤。")
    if errors:
        raise ValidationError(errors)
    try:
        with transaction.atomic():
            shift = DutyShift.objects.create(post=post, person=person, kind=kind, starts_at=starts_at, ends_at=ends_at, assigned_by=actor)
            audit.record(actor=actor, action="create", target=shift, note=f"{post.pk} {person.pk} {kind}")
    except IntegrityError:
        raise ValidationError({"starts_at": _("此人在该岗位的这个班次已排过。")}) from None
    return shift


def duty_check_in(*, actor: User, shift: DutyShift, now=None) -> DutyShift:
    now = now or timezone.now()
    if not access.can_check_duty(actor, shift):
        raise PermissionDenied(_("只有值勤人本人可以签到。"))
    if not shift.starts_at - CHECK_IN_EARLY <= now <= shift.ends_at:
        raise InvalidState(
            _("请在班次开始前30分钟至结束前签到（%(s)s–%(e)s）。")
            % {"s": _local(shift.starts_at - CHECK_IN_EARLY), "e": _local(shift.ends_at)}
        )
    with transaction.atomic():
        if not DutyShift.objects.filter(pk=shift.pk, checked_in_at__isnull=True).update(checked_in_at=now):
            raise InvalidState(_("已签到。"))
        shift.refresh_from_db()
    return shift


def duty_check_out(*, actor: User, shift: DutyShift, now=None) -> DutyShift:
    """签退: the hours are the time on duty inside the shift, rounded down to 0.1 h; a volunteer's
    go to their ledger once (the shift is the ledger entry's source)."""
    now = now or timezone.now()
    if not access.can_check_duty(actor, shift):
        raise PermissionDenied(_("只有值勤人本人可以签退。"))
    if shift.checked_in_at is None:
        raise InvalidState(_("请先签到。"))
    if now > shift.ends_at + CHECK_OUT_LATE:
        raise InvalidState(_("已超过签退时间，请联系社区补录。"))
    start, end = max(shift.checked_in_at, shift.starts_at), min(now, shift.ends_at)
    hours = max(Decimal((end - start).total_seconds()) / 3600, Decimal(0)).quantize(Decimal("0.1"), rounding=ROUND_DOWN)
    with transaction.atomic():
        if not DutyShift.objects.filter(pk=shift.pk, checked_out_at__isnull=True).update(checked_out_at=now, hours=hours):
            raise InvalidState(_("已签退。"))
        shift = DutyShift.objects.select_related("post").get(pk=shift.pk)
        if shift.kind == DutyKind.VOLUNTEER and hours > 0:
            volunteer = Volunteer.objects.get(user_id=shift.person_id, community_id=shift.post.community_id)
            hours_credit_for_service(
                actor=actor,
                volunteer=volunteer,
                source=f"volunteers.duty:{shift.pk}",
                hours=hours,
                reason=_("值勤：%(p)s %(d)s") % {"p": shift.post.name, "d": _local(shift.starts_at)},
            )
    return shift


def _local(moment) -> str:
    return formats.date_format(timezone.localtime(moment), "m-d H:i")
