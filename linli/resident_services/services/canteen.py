"""The canteen (助餐): menus with cut-off and places (the last places never over-filled: ``taken + n <= capacity``), the elderly and care discounts."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from linli.accounts.models import User
from linli.accounts.scope import scope_for
from linli.core import audit
from linli.registry.models import Resident
from linli.resident_services import access
from linli.resident_services.models import (
    Canteen,
    Meal,
    MealKind,
    MealOrder,
    MealOrderStatus,
)
from linli.resident_services.services.common import InvalidState

CENT = Decimal("0.01")

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
