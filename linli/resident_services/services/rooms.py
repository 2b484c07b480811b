"""Rooms (红色驿站 and others): bookings inside opening hours, approval where the room needs it; two holding bookings never overlap
(the room's row lock, and PostgreSQL's exclusion constraint as the last word)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from linli.accounts.models import User
from linli.accounts.scope import scope_for
from linli.core import audit
from linli.core.notify import notify
from linli.registry.models import Organisation, Place
from linli.registry.vocabulary import staff_of
from linli.resident_services import access
from linli.resident_services.models import (
    Booking,
    BookingStatus,
    Room,
    RoomKind,
)
from linli.resident_services.services.common import InvalidState, _local

MAX_BOOKING = timedelta(hours=8)
BOOK_AHEAD = timedelta(days=60)

# ---- rooms -------------------------------------------------------------------------------------------------


def room_save(
    *,
    actor: User,
    community: Place,
    name: str,
    kind: str = RoomKind.FUNCTION,
    room: Room | None = None,
    location: str = "",
    seats: int = 20,
    opens_at: time = time(8, 30),
    closes_at: time = time(21, 0),
    open_weekdays: Iterable[int] = (),
    needs_approval: bool = False,
    active: bool = True,
) -> Room:
    access.require(access.can_manage(scope_for(actor), community))
    name = (name or "").strip()
    weekdays = sorted(set(open_weekdays))
    errors = {}
    if not name:
        errors["name"] = _("请填写名称。")
    if kind not in RoomKind.values:
        errors["kind"] = _("请选择类型。")
    if not 1 <= seats <= 2000:
        errors["seats"] = _("人数应在1到2000之间。")
    if closes_at <= opens_at:
        errors["closes_at"] = _("关闭时间应晚于开放时间。")
    if any(not isinstance(d, int) or not 0 <= d <= 6 for d in weekdays):
        errors["open_weekdays"] = _("无效的选项。")
    if errors:
        raise ValidationError(errors)
    fields = ("name", "kind", "location", "seats", "opens_at", "closes_at", "open_weekdays", "needs_approval", "active")
    with transaction.atomic():
        if room is None:
            room, before = Room(community=community), {}
        else:
            room = Room.objects.select_for_update().get(pk=room.pk, community=community)
            before = audit.snapshot(room, fields)
        room.name, room.kind, room.location, room.seats = name, kind, location.strip()[:100], seats
        room.opens_at, room.closes_at, room.open_weekdays = opens_at, closes_at, weekdays
        room.needs_approval, room.active = needs_approval, active
        room.save()
        audit.record(
            actor=actor, action="update" if before else "create", target=room, changes=audit.diff(before, audit.snapshot(room, fields))
        )
    return room


def booking_problems(room: Room, starts_at: datetime, ends_at: datetime, *, now: datetime | None = None) -> dict[str, str]:
    """The rules of a slot, apart from overlap: opening hours and days, in the future, not too long."""
    now = now or timezone.now()
    tz = ZoneInfo(settings.TIME_ZONE)
    start, end = starts_at.astimezone(tz), ends_at.astimezone(tz)
    if end <= start:
        return {"ends_at": _("结束时间应晚于开始时间。")}
    if start < now:
        return {"starts_at": _("不能预约已经过去的时间。")}
    if start > now + BOOK_AHEAD:
        return {"starts_at": _("最多提前60天预约。")}
    if end - start > MAX_BOOKING:
        return {"ends_at": _("单次预约不超过8小时。")}
    if start.date() != end.date() or start.time() < room.opens_at or end.time() > room.closes_at:
        return {
            "starts_at": _("请在开放时间%(a)s–%(b)s内预约。")
            % {"a": room.opens_at.strftime("%H:%M"), "b": room.closes_at.strftime("%H:%M")}
        }
    if room.open_weekdays and start.weekday() not in room.open_weekdays:
        return {"starts_at": _("该场地当天不开放。")}
    return {}


def overlapping(room: Room, starts_at: datetime, ends_at: datetime):
    return Booking.objects.filter(room=room, status__in=BookingStatus.holding(), starts_at__lt=ends_at, ends_at__gt=starts_at)


def room_book(
    *,
    actor: User,
    room: Room,
    starts_at: datetime,
    ends_at: datetime,
    purpose: str,
    attendees: int = 1,
    organisation: Organisation | None = None,
    council=None,
) -> Booking:
    """Book a slot. Rooms needing approval hold the slot as a request until staff decide."""
    scope = scope_for(actor)
    purpose = (purpose or "").strip()
    errors = {}
    if not purpose or len(purpose) > 100:
        errors["purpose"] = _("请填写用途（不超过100字）。")
    if not isinstance(attendees, int) or not 1 <= attendees <= room.seats:
        errors["attendees"] = _("人数应在1到%(n)s之间。") % {"n": room.seats}
    if organisation is not None and not access.booking_organisations(scope).filter(pk=organisation.pk).exists():
        errors["organisation"] = _("只能以自己所在单位的名义预约。")
    if council is not None and (council.community_id != room.community_id or not access.can_book_for_council(scope, actor, council)):
        errors["council"] = _("只有议事会成员可以以议事会名义预约。")
    errors.update(booking_problems(room, starts_at, ends_at))
    if errors:
        raise ValidationError(errors)
    staff = access.can_manage(scope, room.community)
    try:
        with transaction.atomic():
            # The room's row lock orders concurrent bookings of one room; the overlap check then
            # sees every committed booking. On PostgreSQL the exclusion constraint backs it.
            room = Room.objects.select_for_update().select_related("community").get(pk=room.pk)
            access.require(access.can_book(scope, actor, room))
            if overlapping(room, starts_at, ends_at).exists():
                raise ValidationError({"starts_at": _("该时段已被预约。")})
            booking = Booking.objects.create(
                room=room,
                booked_by=actor,
                organisation=organisation,
                council=council,
                purpose=purpose,
                attendees=attendees,
                starts_at=starts_at,
                ends_at=ends_at,
                status=BookingStatus.PENDING if room.needs_approval and not staff else BookingStatus.APPROVED,
            )
            audit.record(actor=actor, action="create", target=booking, note=booking.status)
            if booking.status == BookingStatus.PENDING:
                notify(
                    staff_of(room.community_id),
                    subject=_("场地预约待审批：%(r)s") % {"r": room.name},
                    body=f"{_local(starts_at)} {purpose}",
                    link=f"/services/rooms/{room.pk}/",
                )
    except IntegrityError:
        raise ValidationError({"starts_at": _("该时段已被预约。")}) from None
    return booking


def booking_decide(*, actor: User, booking: Booking, approve: bool, reason: str = "") -> Booking:
    with transaction.atomic():
        booking = Booking.objects.select_for_update(of=("self",)).select_related("room__community").get(pk=booking.pk)
        access.require(access.can_manage(scope_for(actor), booking.room.community))
        if not access.can_decide_booking(scope_for(actor), booking):
            raise InvalidState(_("该预约已处理。"))
        if not approve and not (reason or "").strip():
            raise ValidationError({"reason": _("请说明不通过的原因。")})
        status = BookingStatus.APPROVED if approve else BookingStatus.REJECTED
        Booking.objects.filter(pk=booking.pk).update(
            status=status, decided_by=actor, decided_at=timezone.now(), reason=(reason or "").strip()[:200]
        )
        audit.record(actor=actor, action="update", target=booking, changes={"status": [BookingStatus.PENDING, status]})
        notify(
            [booking.booked_by],
            subject=(_("场地预约已通过：%(r)s") if approve else _("场地预约未通过：%(r)s")) % {"r": booking.room.name},
            body=f"{_local(booking.starts_at)} {reason}".strip(),
            link=f"/services/rooms/{booking.room_id}/",
        )
    booking.refresh_from_db()
    return booking


def booking_cancel(*, actor: User, booking: Booking, reason: str = "") -> Booking:
    with transaction.atomic():
        booking = Booking.objects.select_for_update(of=("self",)).select_related("room__community").get(pk=booking.pk)
        access.require(access.can_cancel_booking(scope_for(actor), actor, booking))
        before = booking.status
        Booking.objects.filter(pk=booking.pk).update(status=BookingStatus.CANCELLED, reason=(reason or "").strip()[:200])
        audit.record(actor=actor, action="update", target=booking, changes={"status": [before, BookingStatus.CANCELLED]})
        if booking.booked_by_id != actor.pk:
            notify(
                [booking.booked_by],
                subject=_("场地预约已取消：%(r)s") % {"r": booking.room.name},
                body=reason or "",
                link=f"/services/rooms/{booking.room_id}/",
            )
    booking.refresh_from_db()
    return booking
