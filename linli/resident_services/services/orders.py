"""Orders 点单—配单—送单: a resident (or an agent) orders, staff match it to providers, one acceptance wins
(a conditional UPDATE on ``status = offered``), the provider records the visit, the household confirms and rates;
late and low-rated orders reach staff once."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, timedelta
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from linli.accounts.models import User
from linli.accounts.scope import scope_for
from linli.core import audit
from linli.core.images import clean_photos
from linli.core.notify import notify
from linli.core.workdays import deadline_after
from linli.registry.models import Place, Resident
from linli.registry.vocabulary import own_resident, staff_of
from linli.resident_services import access
from linli.resident_services.models import (
    OfferStatus,
    Order,
    OrderChannel,
    OrderOffer,
    OrderPhoto,
    OrderStatus,
    Provider,
    Service,
    Slot,
)
from linli.resident_services.services.common import InvalidState, _local, provider_people, resident_people
from linli.volunteers.models import Volunteer
from linli.volunteers.services import hours_credit_for_service

LOW_RATING = 2  # a rating this low or lower reaches staff
MAX_OFFERS = 20


def _order_link(order: Order) -> str:
    return f"/services/orders/{order.pk}/"


def _locked_order(order: Order) -> Order:
    return Order.objects.select_for_update(of=("self",)).select_related("community", "service", "resident__household").get(pk=order.pk)


def _require_state(ok: bool) -> None:
    if not ok:
        raise InvalidState(_("服务单当前状态不允许此操作。"))


# ---- orders: 点单 ------------------------------------------------------------------------------------------


def _channel(actor: User, resident: Resident, community: Place) -> str:
    mine = own_resident(actor)
    if mine is not None and mine.household_id == resident.household_id:
        return OrderChannel.SELF
    return OrderChannel.STAFF if access.can_manage(scope_for(actor), community) else OrderChannel.GRID_WORKER


def order_create(
    *,
    actor: User,
    service: Service,
    resident: Resident,
    description: str,
    wanted_on: date | None = None,
    wanted_slot: str = Slot.ANY,
    channel: str | None = None,
    source_appeal=None,
    idempotency_key: str | None = None,
) -> tuple[Order, bool]:
    """点单. Returns (order, created); a repeated idempotency key returns the first order."""
    scope = scope_for(actor)
    access.require(access.can_order_for(scope, actor, resident))
    if source_appeal is not None:
        from linli.appeals.access import visible_appeals

        access.require(visible_appeals(scope).filter(pk=source_appeal.pk).exists())
    description = (description or "").strip()
    errors = {}
    if not access.eligible(service, resident):
        errors["service"] = _("该服务不面向此居民（仅限关怀对象或已下架）。")
    if not description:
        errors["description"] = _("请说明需要什么服务。")
    elif len(description) > 1000:
        errors["description"] = _("不超过1000字。")
    today = timezone.localdate()
    if wanted_on is not None and not today <= wanted_on <= today + timedelta(days=60):
        errors["wanted_on"] = _("希望日期应在今天起60天内。")
    if wanted_slot not in Slot.values:
        errors["wanted_slot"] = _("无效的选项。")
    if channel is not None and channel not in OrderChannel.values:
        errors["channel"] = _("无效的选项。")
    if errors:
        raise ValidationError(errors)
    community = Place.objects.get(pk=resident.household.dwelling.community_id)
    now = timezone.now()
    order = Order(
        community=community,
        service=service,
        resident=resident,
        place=resident.household.dwelling,
        ordered_by=actor,
        channel=channel or _channel(actor, resident, community),
        description=description,
        wanted_on=wanted_on,
        wanted_slot=wanted_slot,
        price=service.price,
        created_at=now,
        match_due=deadline_after(now, service.match_days),
        source_appeal=source_appeal,
        idempotency_key=idempotency_key or None,
    )
    try:
        with transaction.atomic():
            order.save()
            audit.record(actor=actor, action="create", target=order, note=f"{service.pk} {order.channel}")
            notify(
                staff_of(community.pk),
                subject=_("新服务单：%(s)s") % {"s": service.name},
                body=_("%(n)s 待配单，请在%(d)s前配单。") % {"n": order.number, "d": _local(order.match_due)},
                link=_order_link(order),
            )
    except IntegrityError:
        if not idempotency_key:
            raise
        return Order.objects.get(ordered_by=actor, idempotency_key=idempotency_key), False
    return order, True


# ---- 配单 ----------------------------------------------------------------------------------------------------


def order_match(*, actor: User, order: Order, providers: Iterable[Provider]) -> Order:
    """Offer the order to one or several providers; the first to accept wins."""
    providers = list(dict.fromkeys(providers))
    with transaction.atomic():
        order = _locked_order(order)
        access.require(access.can_manage(scope_for(actor), order.community))
        _require_state(access.can_match(scope_for(actor), order))
        if not providers or len(providers) > MAX_OFFERS:
            raise ValidationError({"providers": _("请选择1到%(n)s个服务方。") % {"n": MAX_OFFERS}})
        if any(p.community_id != order.community_id or not p.active for p in providers):
            raise ValidationError({"providers": _("服务方须为本社区在岗的服务方。")})
        now = timezone.now()
        for provider in providers:
            offer, created = OrderOffer.objects.get_or_create(order=order, provider=provider)
            if not created and offer.status != OfferStatus.OFFERED:
                OrderOffer.objects.filter(pk=offer.pk).update(status=OfferStatus.OFFERED, decline_reason="", answered_at=None)
            notify(
                provider_people(provider),
                subject=_("新派单：%(s)s") % {"s": order.service.name},
                body=_("%(n)s 请在手机上接单或婉拒。") % {"n": order.number},
                link=_order_link(order),
            )
        before = order.status
        Order.objects.filter(pk=order.pk).update(status=OrderStatus.OFFERED, matched_at=now, matched_by=actor)
        audit.record(
            actor=actor,
            action="update",
            target=order,
            changes={"status": [before, OrderStatus.OFFERED]},
            note=" ".join(str(p.pk) for p in providers),
        )
    order.refresh_from_db()
    return order


def order_accept(*, actor: User, order: Order, provider: Provider) -> Order:
    """接单. Several providers may press at once: one conditional UPDATE decides the winner."""
    scope = scope_for(actor)
    with transaction.atomic():
        order = Order.objects.select_related("service", "resident").get(pk=order.pk)
        access.require(provider.pk in access.provider_ids(scope, actor))
        _require_state(access.can_answer(scope, actor, order, provider))
        now = timezone.now()
        won = Order.objects.filter(pk=order.pk, status=OrderStatus.OFFERED).update(
            status=OrderStatus.ACCEPTED, provider=provider, accepted_at=now, deliver_due=deadline_after(now, order.service.deliver_days)
        )
        if not won:
            raise InvalidState(_("该服务单已由其他服务方接单。"))
        OrderOffer.objects.filter(order=order, provider=provider).update(status=OfferStatus.ACCEPTED, answered_at=now)
        OrderOffer.objects.filter(order=order, status=OfferStatus.OFFERED).update(status=OfferStatus.CLOSED, answered_at=now)
        audit.record(
            actor=actor,
            action="update",
            target=order,
            changes={"status": [OrderStatus.OFFERED, OrderStatus.ACCEPTED]},
            note=str(provider.pk),
        )
        order.refresh_from_db()
        notify(
            resident_people(order.resident, order.ordered_by),
            subject=_("已接单：%(s)s") % {"s": order.service.name},
            body=_("%(p)s 已接单，将在%(d)s前上门服务。") % {"p": provider.name, "d": _local(order.deliver_due)},
            link=_order_link(order),
        )
    return order


def order_accept_by_phone(*, actor: User, order: Order, provider: Provider, note: str = "") -> Order:
    """电话接单: a provider said yes by phone; staff record it, with who and when. The same
    conditional update as ``order_accept`` decides against a provider pressing at once."""
    scope = scope_for(actor)
    note = (note or "").strip()
    if len(note) > 200:
        raise ValidationError({"note": _("不超过200字。")})
    with transaction.atomic():
        order = Order.objects.select_related("service", "resident", "community").get(pk=order.pk)
        access.require(access.can_manage(scope, order.community))
        _require_state(access.can_record_phone_acceptance(scope, order))
        if provider.community_id != order.community_id or not provider.active:
            raise ValidationError({"provider": _("服务方须为本社区在岗的服务方。")})
        now = timezone.now()
        before = order.status
        won = Order.objects.filter(pk=order.pk, status__in=[OrderStatus.ORDERED, OrderStatus.OFFERED]).update(
            status=OrderStatus.ACCEPTED,
            provider=provider,
            accepted_at=now,
            accepted_by_phone=True,
            acceptance_recorded_by=actor,
            matched_at=order.matched_at or now,
            matched_by=order.matched_by or actor,
            deliver_due=deadline_after(now, order.service.deliver_days),
        )
        if not won:
            raise InvalidState(_("该服务单已由其他服务方接单。"))
        OrderOffer.objects.update_or_create(order=order, provider=provider, defaults={"status": OfferStatus.ACCEPTED, "answered_at": now})
        OrderOffer.objects.filter(order=order, status=OfferStatus.OFFERED).update(status=OfferStatus.CLOSED, answered_at=now)
        audit.record(
            actor=actor,
            action="update",
            target=order,
            changes={"status": [before, OrderStatus.ACCEPTED], "accepted_by_phone": [False, True]},
            note=(f"{provider.pk} " + note)[:200],
        )
        order.refresh_from_db()
        notify(
            resident_people(order.resident, order.ordered_by),
            subject=_("已接单：%(s)s") % {"s": order.service.name},
            body=_("%(p)s 已接单，将在%(d)s前上门服务。") % {"p": provider.name, "d": _local(order.deliver_due)},
            link=_order_link(order),
            exclude=[actor],
        )
    return order


def order_decline(*, actor: User, order: Order, provider: Provider, reason: str = "") -> Order:
    """婉拒. When every provider offered has declined, the order goes back to staff."""
    scope = scope_for(actor)
    with transaction.atomic():
        order = _locked_order(order)
        access.require(provider.pk in access.provider_ids(scope, actor))
        _require_state(access.can_answer(scope, actor, order, provider))
        now = timezone.now()
        OrderOffer.objects.filter(order=order, provider=provider).update(
            status=OfferStatus.DECLINED, decline_reason=(reason or "")[:200], answered_at=now
        )
        if not order.offers.filter(status=OfferStatus.OFFERED).exists():
            Order.objects.filter(pk=order.pk).update(status=OrderStatus.ORDERED)
            notify(
                staff_of(order.community_id),
                subject=_("派单均被婉拒：%(n)s") % {"n": order.number},
                body=_("请重新配单。"),
                link=_order_link(order),
            )
        audit.record(actor=actor, action="update", target=order, note=f"declined by {provider.pk}")
    order.refresh_from_db()
    return order


# ---- 送单 and the resident's confirmation ------------------------------------------------------------------


def order_deliver(*, actor: User, order: Order, note: str, photos: Iterable = (), hours: Decimal | None = None) -> Order:
    """The provider records the visit (with photos, cleaned like an appeal's) and how long it took."""
    note = (note or "").strip()
    if not note:
        raise ValidationError({"note": _("请填写服务记录。")})
    if hours is not None and (not isinstance(hours, Decimal | int) or not Decimal("0.1") <= Decimal(hours) <= Decimal("24")):
        raise ValidationError({"hours": _("服务时长应为0.1–24小时。")})
    if len(note) > 1000:
        raise ValidationError({"note": _("不超过1000字。")})
    cleaned = clean_photos(photos)
    with transaction.atomic():
        order = _locked_order(order)
        scope = scope_for(actor)
        access.require(access.can_view_order(scope, actor, order))
        # The provider who won the order records the visit (staff, for one who accepted by phone).
        access.require(
            order.provider_id is None
            or order.provider_id in access.provider_ids(scope, actor)
            or (order.accepted_by_phone and access.can_manage(scope, order.community))
        )
        _require_state(access.can_deliver(scope, actor, order))
        for image in cleaned:
            OrderPhoto.objects.create(order=order, image=image, uploaded_by=actor)
        Order.objects.filter(pk=order.pk).update(
            status=OrderStatus.DELIVERED, delivered_at=timezone.now(), visit_note=note, service_hours=hours
        )
        audit.record(actor=actor, action="update", target=order, changes={"status": [OrderStatus.ACCEPTED, OrderStatus.DELIVERED]})
        notify(
            resident_people(order.resident, order.ordered_by),
            subject=_("服务已完成，请确认：%(s)s") % {"s": order.service.name},
            body=_("请确认并评价本次服务。"),
            link=_order_link(order),
        )
    order.refresh_from_db()
    return order


def order_confirm(*, actor: User, order: Order, rating: int, comment: str = "") -> Order:
    """The resident (or the agent who ordered) confirms and rates 1–5; a low rating reaches staff."""
    if not isinstance(rating, int) or not 1 <= rating <= 5:
        raise ValidationError({"rating": _("请打1到5星。")})
    comment = (comment or "").strip()[:300]
    with transaction.atomic():
        order = _locked_order(order)
        scope = scope_for(actor)
        access.require(access.can_view_order(scope, actor, order))
        _require_state(access.can_confirm(scope, actor, order))
        now = timezone.now()
        update = {"status": OrderStatus.DONE, "done_at": now, "rating": rating, "rating_comment": comment}
        if rating <= LOW_RATING:
            update.update(flagged_at=now, flag_reason=Order.Flag.LOW_RATING)
        Order.objects.filter(pk=order.pk).update(**update)
        audit.record(
            actor=actor,
            action="update",
            target=order,
            changes={"status": [OrderStatus.DELIVERED, OrderStatus.DONE], "rating": [None, rating]},
        )
        _credit_volunteer(order, actor)
        if rating <= LOW_RATING:
            notify(
                staff_of(order.community_id),
                subject=_("低评价：%(n)s") % {"n": order.number},
                body=_("“%(s)s”得到%(r)s星评价，请回访。") % {"s": order.service.name, "r": rating},
                link=_order_link(order),
            )
    order.refresh_from_db()
    return order


def _credit_volunteer(order: Order, actor: User) -> None:
    """Where a registered volunteer served (the provider's own account is an active volunteer),
    the visit's hours go to their ledger, once per order."""
    if not order.provider_id or not order.service_hours:
        return
    provider = Provider.objects.select_related("user").get(pk=order.provider_id)
    volunteer = Volunteer.objects.filter(user_id=provider.user_id).first() if provider.user_id else None
    if volunteer is not None:
        hours_credit_for_service(
            actor=actor,
            volunteer=volunteer,
            source=f"services.order:{order.pk}",
            hours=order.service_hours,
            reason=_("为民服务 %(n)s：%(s)s") % {"n": order.number, "s": order.service.name},
        )


def order_cancel(*, actor: User, order: Order, reason: str = "") -> Order:
    reason = (reason or "").strip()[:200]
    with transaction.atomic():
        order = _locked_order(order)
        scope = scope_for(actor)
        access.require(access.can_view_order(scope, actor, order))
        _require_state(access.can_cancel(scope, actor, order))
        if not reason:
            raise ValidationError({"reason": _("请填写取消原因。")})
        before = order.status
        now = timezone.now()
        Order.objects.filter(pk=order.pk).update(status=OrderStatus.CANCELLED, cancelled_at=now, cancel_reason=reason)
        OrderOffer.objects.filter(order=order, status=OfferStatus.OFFERED).update(status=OfferStatus.CLOSED, answered_at=now)
        audit.record(actor=actor, action="update", target=order, changes={"status": [before, OrderStatus.CANCELLED]})
        told = [*resident_people(order.resident, order.ordered_by)]
        if order.provider_id:
            told += provider_people(order.provider)
        notify(
            [u for u in told if u.pk != actor.pk],
            subject=_("服务单已取消：%(n)s") % {"n": order.number},
            body=reason,
            link=_order_link(order),
        )
    order.refresh_from_db()
    return order


def orders_flag_late(*, now: datetime | None = None) -> int:
    """The deadline scan: an order not matched, or not delivered, within its working days
    reaches staff once (each row claimed by a conditional UPDATE, so two scanners tell once)."""
    now = now or timezone.now()
    flagged = 0
    rules = (
        (Q(status__in=[OrderStatus.ORDERED, OrderStatus.OFFERED], match_due__lt=now), Order.Flag.MATCH_LATE, _("配单超时：%(n)s")),
        (Q(status=OrderStatus.ACCEPTED, deliver_due__lt=now), Order.Flag.DELIVER_LATE, _("送单超时：%(n)s")),
    )
    for condition, flag, subject in rules:
        late = Order.objects.filter(condition).exclude(flag_reason=flag).values_list("pk", flat=True)[:500]
        for pk in list(late):
            with transaction.atomic():
                if not Order.objects.filter(Q(pk=pk) & condition).exclude(flag_reason=flag).update(flagged_at=now, flag_reason=flag):
                    continue
                order = Order.objects.select_related("service").get(pk=pk)
                notify(
                    staff_of(order.community_id), subject=subject % {"n": order.number}, body=order.service.name, link=_order_link(order)
                )
                flagged += 1
    return flagged
