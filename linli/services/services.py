"""Every change to the catalogue, orders, agency cases, the canteen and rooms: one function per
action, keyword arguments, one transaction, the permission asked of ``access`` after the row
lock, and who did it recorded (the audit log with old and new values; notifications through
the outbox, sent after commit).

The races: an order offered to several providers is won by one conditional UPDATE
(``status = offered``); the last places of a meal by ``taken + n <= capacity``; a room slot by
the room's row lock, with the exclusion constraint on PostgreSQL as the last word.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from linli.accounts.models import Role, RoleAssignment, User
from linli.accounts.scope import scope_for
from linli.core import audit
from linli.core.errors import checked_choices
from linli.core.images import clean_photos
from linli.core.notify import notify
from linli.core.workdays import deadline_after
from linli.registry.models import CareTag, Organisation, Place, Resident
from linli.registry.vocabulary import own_resident, staff_of, street_path
from linli.services import access
from linli.services.models import (
    AgencyCase,
    AgencyDocument,
    AgencyStep,
    Booking,
    BookingStatus,
    Canteen,
    CaseStatus,
    Category,
    Channel,
    Eligibility,
    Meal,
    MealKind,
    MealOrder,
    MealOrderStatus,
    OfferStatus,
    Order,
    OrderOffer,
    OrderPhoto,
    OrderStatus,
    Origin,
    Provider,
    ProviderKind,
    Room,
    RoomKind,
    Service,
    Slot,
)
from linli.volunteers.models import Availability, Skill

LOW_RATING = 2  # a rating this low or lower reaches staff
MAX_OFFERS = 20
MAX_BOOKING = timedelta(hours=8)
BOOK_AHEAD = timedelta(days=60)
CENT = Decimal("0.01")


class InvalidState(ValidationError):
    pass


# ---- who is told -----------------------------------------------------------------------------------


def provider_people(provider: Provider) -> list[User]:
    """Who answers for a provider: its own account, else its organisation's staff."""
    if provider.user_id:
        return [provider.user]
    if provider.organisation_id:
        rows = RoleAssignment.objects.filter(
            organisation_id=provider.organisation_id, role__in=[Role.PARTNER_STAFF, Role.PROPERTY_STAFF]
        ).select_related("user")
        return [r.user for r in rows]
    return []


def resident_people(resident: Resident, *also) -> list[User]:
    return [*User.objects.filter(resident=resident), *also]


def _order_link(order: Order) -> str:
    return f"/services/orders/{order.pk}/"


def _locked_order(order: Order) -> Order:
    return Order.objects.select_for_update(of=("self",)).select_related("community", "service", "resident__household").get(pk=order.pk)


def _require_state(ok: bool) -> None:
    if not ok:
        raise InvalidState(_("服务单当前状态不允许此操作。"))


# ---- the catalogue and providers ----------------------------------------------------------------------


def service_save(
    *,
    actor: User,
    community: Place,
    name: str,
    category: str,
    service: Service | None = None,
    description: str = "",
    eligibility: str = Eligibility.ALL,
    care_tags: Iterable[CareTag] = (),
    price: Decimal = Decimal("0"),
    price_note: str = "",
    skill: str = "",
    match_days: int = 1,
    deliver_days: int = 3,
    providers: Iterable[Provider] = (),
    active: bool = True,
) -> Service:
    access.require(access.can_manage(scope_for(actor), community))
    name = (name or "").strip()
    care_tags, providers = list(care_tags), list(providers)
    errors = {}
    if not name:
        errors["name"] = _("请填写服务名称。")
    if category not in Category.values:
        errors["category"] = _("请选择类别。")
    if eligibility not in Eligibility.values:
        errors["eligibility"] = _("请选择服务对象。")
    elif eligibility == Eligibility.CARE and not care_tags:
        errors["care_tags"] = _("面向关怀对象的服务须选择关怀标签。")
    if skill and skill not in Skill.values:
        errors["skill"] = _("无效的选项。")
    if not Decimal("0") <= Decimal(price) <= Decimal("100000"):
        errors["price"] = _("价格应在0到100000元之间。")
    if not 0 <= match_days <= 30 or not 1 <= deliver_days <= 60:
        errors["deliver_days"] = _("时限应为配单0–30个、送单1–60个工作日。")
    if any(p.community_id != community.pk for p in providers):
        errors["providers"] = _("服务方须属于本社区。")
    if Service.objects.filter(community=community, name=name).exclude(pk=getattr(service, "pk", None)).exists():
        errors["name"] = _("已有同名服务。")
    if errors:
        raise ValidationError(errors)
    fields = ("name", "category", "description", "eligibility", "price", "price_note", "skill", "match_days", "deliver_days", "active")
    with transaction.atomic():
        if service is None:
            service = Service(community=community)
            before = {}
        else:
            service = Service.objects.select_for_update().get(pk=service.pk, community=community)
            before = audit.snapshot(service, fields)
        service.name, service.category, service.description = name, category, (description or "").strip()
        service.eligibility, service.price, service.price_note = eligibility, Decimal(price), price_note.strip()
        service.skill, service.match_days, service.deliver_days, service.active = skill, match_days, deliver_days, active
        service.save()
        service.care_tags.set(care_tags if eligibility == Eligibility.CARE else [])
        service.providers.set(providers)
        audit.record(
            actor=actor,
            action="update" if before else "create",
            target=service,
            changes=audit.diff(before, audit.snapshot(service, fields)),
        )
    return service


def provider_save(
    *,
    actor: User,
    community: Place,
    kind: str,
    name: str,
    provider: Provider | None = None,
    brand: str = "",
    user: User | None = None,
    organisation: Organisation | None = None,
    origin: str = "",
    skills: Iterable[str] = (),
    availability: Iterable[str] = (),
    base: Place | None = None,
    active: bool = True,
) -> Provider:
    access.require(access.can_manage(scope_for(actor), community))
    name = (name or "").strip()
    errors = {}
    if not name:
        errors["name"] = _("请填写名称或姓名。")
    if kind not in ProviderKind.values:
        errors["kind"] = _("请选择类型。")
    if origin and origin not in Origin.values:
        errors["origin"] = _("无效的选项。")
    skills = checked_choices(skills, Skill.values, "skills", errors)
    availability = checked_choices(availability, Availability.values, "availability", errors)
    if kind == ProviderKind.CRAFTSMAN and user is None:
        errors["user"] = _("工匠须绑定本人账号，才能在手机上接单。")
    if kind != ProviderKind.CRAFTSMAN and user is None and organisation is None:
        errors["organisation"] = _("请选择所属组织或接单人账号。")
    if organisation is not None and not organisation.place.path.startswith(street_path(community.path)):
        errors["organisation"] = _("组织不在本街道。")
    if base is not None and not base.path.startswith(community.path):
        errors["base"] = _("常驻位置须在本社区。")
    if errors:
        raise ValidationError(errors)
    fields = ("kind", "name", "brand", "user", "organisation", "origin", "skills", "availability", "base", "active")
    with transaction.atomic():
        if provider is None:
            provider = Provider(community=community)
            before = {}
        else:
            provider = Provider.objects.select_for_update().get(pk=provider.pk, community=community)
            before = audit.snapshot(provider, fields)
        provider.kind, provider.name, provider.brand = kind, name, brand.strip()
        provider.user, provider.organisation, provider.origin = user, organisation, origin
        provider.skills, provider.availability, provider.base, provider.active = skills, availability, base, active
        provider.save()
        audit.record(
            actor=actor,
            action="update" if before else "create",
            target=provider,
            changes=audit.diff(before, audit.snapshot(provider, fields)),
        )
    return provider


# ---- orders: 点单 ------------------------------------------------------------------------------------------


def _channel(actor: User, resident: Resident, community: Place) -> str:
    mine = own_resident(actor)
    if mine is not None and mine.household_id == resident.household_id:
        return Channel.SELF
    return Channel.STAFF if access.can_manage(scope_for(actor), community) else Channel.GRID_WORKER


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
    if channel is not None and channel not in Channel.values:
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


def _local(moment: datetime | None) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M") if moment else ""


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


def order_deliver(*, actor: User, order: Order, note: str, photos: Iterable = ()) -> Order:
    """The provider records the visit (with photos, cleaned like an appeal's)."""
    note = (note or "").strip()
    if not note:
        raise ValidationError({"note": _("请填写服务记录。")})
    if len(note) > 1000:
        raise ValidationError({"note": _("不超过1000字。")})
    cleaned = clean_photos(photos)
    with transaction.atomic():
        order = _locked_order(order)
        scope = scope_for(actor)
        access.require(access.can_view_order(scope, actor, order))
        # Only the provider who won the order records the visit.
        access.require(order.provider_id is None or order.provider_id in access.provider_ids(scope, actor))
        _require_state(access.can_deliver(scope, actor, order))
        for image in cleaned:
            OrderPhoto.objects.create(order=order, image=image, uploaded_by=actor)
        Order.objects.filter(pk=order.pk).update(status=OrderStatus.DELIVERED, delivered_at=timezone.now(), visit_note=note)
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
        if rating <= LOW_RATING:
            notify(
                staff_of(order.community_id),
                subject=_("低评价：%(n)s") % {"n": order.number},
                body=_("“%(s)s”得到%(r)s星评价，请回访。") % {"s": order.service.name, "r": rating},
                link=_order_link(order),
            )
    order.refresh_from_db()
    return order


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


# ---- agency cases (全程代办) ----------------------------------------------------------------------------------

# The matters most often carried, with their usual steps and papers (a case may change them).
MATTERS = {
    "高龄补贴": {
        "steps": [
            ("社区受理、核对年龄", "社区服务站"),
            ("街道审核", "街道便民服务中心"),
            ("区民政局审批", "区民政局"),
            ("补贴发放到账", "区民政局"),
        ],
        "documents": ["身份证", "户口簿", "银行卡（社保卡）"],
    },
    "残疾证": {
        "steps": [("社区受理申请", "社区服务站"), ("陪同评残体检", "指定评定医院"), ("区残联审核", "区残联"), ("领取残疾证", "区残联")],
        "documents": ["身份证", "户口簿", "2寸彩色照片3张", "病历资料"],
    },
    "医保报销": {
        "steps": [("收集票据", "社区服务站"), ("提交医保经办窗口", "区医保中心"), ("审核结算", "区医保中心"), ("报销款到账", "区医保中心")],
        "documents": ["医保卡", "住院发票原件", "费用明细清单", "出院小结"],
    },
}


def case_open(
    *,
    actor: User,
    resident: Resident,
    matter: str,
    agent: User | None = None,
    due_on: date | None = None,
    steps: list[tuple[str, str]] | None = None,
    documents: list[str] | None = None,
) -> AgencyCase:
    scope = scope_for(actor)
    access.require(access.can_open_case(scope, resident))
    matter = (matter or "").strip()
    errors = {}
    if not matter or len(matter) > 60:
        errors["matter"] = _("请填写代办事项（不超过60字）。")
    template = MATTERS.get(matter, {})
    steps = steps if steps is not None else template.get("steps", [(_("社区受理"), _("社区服务站"))])
    documents = documents if documents is not None else template.get("documents", [])
    if not steps or len(steps) > 20 or any(not (t or "").strip() for t, _o in steps):
        errors["steps"] = _("请列出1到20个办理环节。")
    if len(documents) > 30:
        errors["documents"] = _("材料不超过30项。")
    if due_on is not None and due_on < timezone.localdate():
        errors["due_on"] = _("承诺日期不能早于今天。")
    agent = agent or actor
    community = Place.objects.get(pk=resident.household.dwelling.community_id)
    if agent.pk != actor.pk and not (access.acts_in_community(scope_for(agent), access.CARRY_AGENCY, community)):
        errors["agent"] = _("代办员须为本社区的网格员或社区工作者。")
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        case = AgencyCase.objects.create(community=community, resident=resident, matter=matter, agent=agent, opened_by=actor, due_on=due_on)
        AgencyStep.objects.bulk_create(
            [AgencyStep(case=case, position=n, title=t.strip()[:60], office=(o or "").strip()[:60]) for n, (t, o) in enumerate(steps, 1)]
        )
        AgencyDocument.objects.bulk_create([AgencyDocument(case=case, name=d.strip()[:60]) for d in documents if d.strip()])
        audit.record(actor=actor, action="create", target=case, note=matter)
        notify(
            resident_people(resident),
            subject=_("已受理代办：%(m)s") % {"m": matter},
            body=_("代办员将全程代办，每个环节都会告诉您。"),
            link=f"/services/cases/{case.pk}/",
        )
    return case


def _locked_case(case: AgencyCase) -> AgencyCase:
    return AgencyCase.objects.select_for_update(of=("self",)).select_related("community", "resident__household").get(pk=case.pk)


def case_step_done(*, actor: User, case: AgencyCase, step: AgencyStep, note: str = "", done_on: date | None = None) -> AgencyStep:
    with transaction.atomic():
        case = _locked_case(case)
        access.require(access.can_view_case(scope_for(actor), actor, case))
        access.require(access.can_carry(scope_for(actor), actor, case), _("只有代办员或社区工作者可以登记进度。"))
        step = AgencyStep.objects.select_for_update().get(pk=step.pk, case=case)
        if step.done_on is not None:
            raise InvalidState(_("该环节已完成。"))
        done_on = done_on or timezone.localdate()
        if done_on > timezone.localdate():
            raise ValidationError({"done_on": _("完成日期不能晚于今天。")})
        step.done_on, step.note = done_on, (note or "").strip()[:300]
        step.save(update_fields=["done_on", "note"])
        audit.record(actor=actor, action="update", target=case, changes={"step": [None, step.title]})
        notify(
            resident_people(case.resident),
            subject=_("代办进度：%(m)s") % {"m": case.matter},
            body=_("“%(t)s”已完成。%(n)s") % {"t": step.title, "n": step.note},
            link=f"/services/cases/{case.pk}/",
        )
    return step


def case_step_add(*, actor: User, case: AgencyCase, title: str, office: str = "", planned_on: date | None = None) -> AgencyStep:
    title = (title or "").strip()
    if not title or len(title) > 60:
        raise ValidationError({"title": _("请填写环节（不超过60字）。")})
    with transaction.atomic():
        case = _locked_case(case)
        access.require(access.can_view_case(scope_for(actor), actor, case))
        access.require(access.can_carry(scope_for(actor), actor, case))
        position = (case.steps.order_by("-position").values_list("position", flat=True).first() or 0) + 1
        if position > 30:
            raise ValidationError({"title": _("环节已达上限。")})
        step = AgencyStep.objects.create(
            case=case, position=position, title=title, office=(office or "").strip()[:60], planned_on=planned_on
        )
        audit.record(actor=actor, action="update", target=case, changes={"steps": [None, title]})
    return step


def case_document(*, actor: User, case: AgencyCase, document: AgencyDocument, action: str) -> AgencyDocument:
    """收取 (receive) a paper from the resident, or 归还 (return) it."""
    if action not in ("receive", "return"):
        raise ValidationError({"action": _("无效的选项。")})
    with transaction.atomic():
        case = _locked_case(case)
        access.require(access.can_view_case(scope_for(actor), actor, case))
        access.require(access.can_carry(scope_for(actor), actor, case))
        document = AgencyDocument.objects.select_for_update().get(pk=document.pk, case=case)
        field = "received_on" if action == "receive" else "returned_on"
        if getattr(document, field) is not None or (action == "return" and document.received_on is None):
            raise InvalidState(_("材料当前状态不允许此操作。"))
        setattr(document, field, timezone.localdate())
        document.save(update_fields=[field])
        audit.record(actor=actor, action="update", target=case, changes={field: [None, document.name]})
    return document


def case_close(*, actor: User, case: AgencyCase, outcome: str, cancelled: bool = False) -> AgencyCase:
    outcome = (outcome or "").strip()
    if not outcome:
        raise ValidationError({"outcome": _("请填写办理结果或撤销原因。")})
    with transaction.atomic():
        case = _locked_case(case)
        access.require(access.can_view_case(scope_for(actor), actor, case))
        access.require(access.can_carry(scope_for(actor), actor, case))
        if not cancelled and case.steps.filter(done_on__isnull=True).exists():
            raise InvalidState(_("还有未完成的环节。"))
        status = CaseStatus.CANCELLED if cancelled else CaseStatus.DONE
        AgencyCase.objects.filter(pk=case.pk).update(status=status, closed_at=timezone.now(), outcome=outcome[:300])
        audit.record(actor=actor, action="update", target=case, changes={"status": [CaseStatus.OPEN, status]})
        notify(
            resident_people(case.resident),
            subject=(_("代办已办结：%(m)s") if not cancelled else _("代办已撤销：%(m)s")) % {"m": case.matter},
            body=outcome[:200],
            link=f"/services/cases/{case.pk}/",
        )
    case.refresh_from_db()
    return case


# ---- the canteen -------------------------------------------------------------------------------------------


def _at(day: date, moment: time) -> datetime:
    return datetime.combine(day, moment, tzinfo=ZoneInfo(settings.TIME_ZONE))


def meal_publish(*, actor: User, canteen: Canteen, date: date, kind: str, dishes: str, price: Decimal, capacity: int) -> Meal:
    """Put a meal on the menu; ordering closes at the canteen's cut-off time that day."""
    access.require(access.can_manage(scope_for(actor), canteen.community))
    dishes = (dishes or "").strip()
    errors = {}
    if kind not in MealKind.values:
        errors["kind"] = _("请选择餐次。")
    if not dishes or len(dishes) > 200:
        errors["dishes"] = _("请填写菜品（不超过200字）。")
    if not Decimal("0") <= Decimal(price) <= Decimal("1000"):
        errors["price"] = _("价格应在0到1000元之间。")
    if not 1 <= capacity <= 2000:
        errors["capacity"] = _("份数应在1到2000之间。")
    if date < timezone.localdate() or date > timezone.localdate() + timedelta(days=31):
        errors["date"] = _("只能排今天起31天内的菜单。")
    if errors:
        raise ValidationError(errors)
    cutoff = _at(date, canteen.lunch_cutoff if kind == MealKind.LUNCH else canteen.dinner_cutoff)
    with transaction.atomic():
        meal = Meal.objects.select_for_update().filter(canteen=canteen, date=date, kind=kind).first()
        if meal is not None and capacity < meal.taken:
            raise ValidationError({"capacity": _("份数不能少于已订的%(n)s份。") % {"n": meal.taken}})
        before = audit.snapshot(meal, ("dishes", "price", "capacity")) if meal else {}
        meal = meal or Meal(canteen=canteen, date=date, kind=kind)
        meal.dishes, meal.price, meal.capacity, meal.cutoff_at = dishes, Decimal(price), capacity, cutoff
        meal.save()
        audit.record(
            actor=actor,
            action="update" if before else "create",
            target=meal,
            changes=audit.diff(before, audit.snapshot(meal, ("dishes", "price", "capacity"))),
        )
    return meal


def age_on(resident: Resident, day: date) -> int | None:
    if resident.birth_date is None:
        return None
    b = resident.birth_date
    return day.year - b.year - ((day.month, day.day) < (b.month, b.day))


def meal_price(canteen: Canteen, meal: Meal, resident: Resident) -> tuple[Decimal, str]:
    """The price for this diner: the better of the elderly and the care-tag discount."""
    options = [(0, "")]
    age = age_on(resident, meal.date)
    if age is not None and age >= canteen.elderly_age:
        options.append((canteen.elderly_discount, str(_("老年优惠"))))
    tags = {t.pk for t in canteen.care_tags.all()}
    if tags and resident.care_tags.filter(pk__in=tags).exists():
        options.append((canteen.care_discount, str(_("关怀优惠"))))
    percent, reason = max(options, key=lambda o: o[0])
    price = (meal.price * (100 - percent) / 100).quantize(CENT, rounding=ROUND_HALF_UP)
    return price, reason if percent else ""


def meal_order(*, actor: User, meal: Meal, resident: Resident, quantity: int = 1, delivery: bool = False) -> tuple[MealOrder, bool]:
    """订餐 before the cut-off while places last. A second order for the same person and meal
    returns the first (a double submit is one order)."""
    meal = Meal.objects.select_related("canteen__community").get(pk=meal.pk)
    canteen = meal.canteen
    access.require(access.can_order_meal(scope_for(actor), actor, canteen, resident))
    errors = {}
    if not isinstance(quantity, int) or not 1 <= quantity <= 5:
        errors["quantity"] = _("每次订1到5份。")
    if delivery and not canteen.delivers:
        errors["delivery"] = _("本食堂不提供送餐。")
    if not meal.open_for_orders:
        errors["meal"] = _("已过订餐截止时间。")
    if errors:
        raise ValidationError(errors)
    price, reason = meal_price(canteen, meal, resident)
    with transaction.atomic():
        try:
            with transaction.atomic():
                order = MealOrder.objects.create(
                    meal=meal,
                    resident=resident,
                    ordered_by=actor,
                    quantity=quantity,
                    unit_price=price,
                    discount_reason=reason,
                    delivery=delivery,
                )
        except IntegrityError:
            existing = MealOrder.objects.filter(meal=meal, resident=resident).exclude(status=MealOrderStatus.CANCELLED).first()
            if existing is None:
                raise
            return existing, False
        # The place itself: one conditional UPDATE, so the last places go to exactly as many.
        if not Meal.objects.filter(pk=meal.pk, taken__lte=F("capacity") - quantity).update(taken=F("taken") + quantity):
            raise ValidationError({"meal": _("已订满。")})
        audit.record(actor=actor, action="create", target=order, note=f"{meal.pk} x{quantity}")
    return order, True


def meal_order_cancel(*, actor: User, meal_order: MealOrder) -> MealOrder:
    with transaction.atomic():
        meal_order = (
            MealOrder.objects.select_for_update(of=("self",))
            .select_related("meal__canteen__community", "resident__household")
            .get(pk=meal_order.pk)
        )
        access.require(access.can_cancel_meal_order(scope_for(actor), actor, meal_order))
        if not MealOrder.objects.filter(pk=meal_order.pk, status=MealOrderStatus.ORDERED).update(status=MealOrderStatus.CANCELLED):
            raise InvalidState(_("该订餐已不能取消。"))
        Meal.objects.filter(pk=meal_order.meal_id).update(taken=F("taken") - meal_order.quantity)
        audit.record(
            actor=actor, action="update", target=meal_order, changes={"status": [MealOrderStatus.ORDERED, MealOrderStatus.CANCELLED]}
        )
    meal_order.refresh_from_db()
    return meal_order


def meal_serve(*, actor: User, meal: Meal) -> int:
    """Mark a meal's orders served (eaten or delivered): the diners counted for the day."""
    meal = Meal.objects.select_related("canteen__community").get(pk=meal.pk)
    access.require(access.can_manage(scope_for(actor), meal.canteen.community))
    if meal.date > timezone.localdate():
        raise InvalidState(_("还没到用餐日。"))
    with transaction.atomic():
        n = MealOrder.objects.filter(meal=meal, status=MealOrderStatus.ORDERED).update(status=MealOrderStatus.SERVED)
        audit.record(actor=actor, action="update", target=meal, note=f"served {n}")
    return n


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
