"""The merchant alliance (爱心商圈): offers, one-time codes confirmed at the shop, partner units' purchases."""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from linli.accounts.models import User
from linli.accounts.scope import scope_for
from linli.core import audit
from linli.core.notify import notify
from linli.registry.models import CareTag, Organisation, PlaceKind
from linli.volunteers import access
from linli.volunteers.models import (
    EntryKind,
    Offer,
    OfferKind,
    Purchase,
    Redemption,
    RedemptionStatus,
    Volunteer,
)
from linli.volunteers.services.common import InvalidState
from linli.volunteers.services.ledger import _entry

CODE_TTL = timedelta(minutes=15)

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
