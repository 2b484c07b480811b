"""Reads of the catalogue, orders, providers, agency cases, the canteen and rooms. Every list
costs a fixed number of queries, however many rows it shows."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from statistics import mean, median
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models import Avg, Count, Q, QuerySet, Sum
from django.utils import timezone

from linli.accounts.models import Role, RoleAssignment, User
from linli.core.workdays import is_workday
from linli.registry.models import Place
from linli.registry.vocabulary import building_path, compound_path
from linli.resident_services.models import (
    AgencyCase,
    Booking,
    BookingStatus,
    Canteen,
    CaseStatus,
    Eligibility,
    Meal,
    MealOrder,
    MealOrderStatus,
    OfferStatus,
    Order,
    OrderOffer,
    OrderStatus,
    Provider,
    ProviderKind,
    Room,
    Service,
    Slot,
)
from linli.volunteers.models import Availability


def _tz():
    return ZoneInfo(settings.TIME_ZONE)


# ---- the catalogue ---------------------------------------------------------------------------------


def catalogue(community: Place) -> QuerySet:
    return Service.objects.filter(community=community).prefetch_related("care_tags").annotate(n_providers=Count("providers", distinct=True))


def services_for(community: Place, resident) -> QuerySet:
    """The active services this resident may order: everyone's, and the care-tag services whose
    tags they hold (decided in one query)."""
    tags = list(resident.care_tags.values_list("pk", flat=True)) if resident is not None else []
    q = Q(eligibility=Eligibility.ALL)
    if tags:
        q |= Q(eligibility=Eligibility.CARE, care_tags__in=tags)
    return Service.objects.filter(q, community=community, active=True).distinct().order_by("category", "id")


def active_services(community_id: int) -> QuerySet:
    return Service.objects.filter(community_id=community_id, active=True).order_by("category", "id")


def providers(community: Place) -> QuerySet:
    """Providers with their load (open orders) and rating, in one query."""
    return (
        Provider.objects.filter(community=community)
        .select_related("organisation", "base", "user")
        .annotate(
            load=Count("orders", filter=Q(orders__status__in=[OrderStatus.ACCEPTED]), distinct=True),
            done=Count("orders", filter=Q(orders__status=OrderStatus.DONE), distinct=True),
            rating_avg=Avg("orders__rating"),
        )
        .order_by("kind", "id")
    )


# ---- orders ------------------------------------------------------------------------------------------


def _order_rows(qs: QuerySet) -> QuerySet:
    return qs.select_related("service", "provider", "resident", "place")


def my_orders(user) -> QuerySet:
    resident = user.resident if getattr(user, "resident_id", None) else None
    q = Q(ordered_by=user)
    if resident is not None:
        q |= Q(resident__household_id=resident.household_id)
    return _order_rows(Order.objects.filter(q)).order_by("-created_at", "-id")


def provider_inbox(provider_ids: set[int]) -> dict[str, list]:
    """A provider's phone: orders offered to them awaiting an answer, and those they are doing."""
    ids = sorted(provider_ids)
    offered = list(
        OrderOffer.objects.filter(provider_id__in=ids, status=OfferStatus.OFFERED, order__status=OrderStatus.OFFERED)
        .select_related("order__service", "order__place", "provider")
        .order_by("offered_at")[:50]
    )
    doing = list(
        _order_rows(Order.objects.filter(provider_id__in=ids, status__in=[OrderStatus.ACCEPTED, OrderStatus.DELIVERED])).order_by(
            "deliver_due"
        )[:50]
    )
    return {"offered": offered, "doing": doing}


def desk_orders(community: Place, *, status: str = "", flagged: bool = False) -> QuerySet:
    qs = _order_rows(Order.objects.filter(community=community))
    if status:
        qs = qs.filter(status=status)
    if flagged:
        qs = qs.filter(flagged_at__isnull=False).exclude(status=OrderStatus.CANCELLED)
    return qs.order_by("-created_at", "-id")


def status_counts(community: Place) -> dict[str, int]:
    counts = dict(Order.objects.filter(community=community).values_list("status").annotate(n=Count("id")).values_list("status", "n"))
    return {s: counts.get(s, 0) for s in OrderStatus.values}


def order_detail(order: Order) -> dict:
    offers = list(order.offers.select_related("provider").order_by("id"))
    return {"offers": offers, "photos": list(order.photos.all())}


def wanted_availability(order: Order) -> str | None:
    """The availability a provider needs for the wanted day and slot (None: any)."""
    if order.wanted_on is None:
        return None
    if not is_workday(order.wanted_on):
        return Availability.WEEKEND
    if order.wanted_slot == Slot.EVENING:
        return Availability.WEEKDAY_EVENING
    return Availability.WEEKDAY_DAY if order.wanted_slot in (Slot.MORNING, Slot.AFTERNOON) else None


@dataclass
class Suggestion:
    provider: Provider
    score: float
    reasons: list[str] = field(default_factory=list)
    answerable: bool = False  # someone can accept it in the app (its own account, or its unit's staff)


def answerable_provider_ids(community) -> set[int]:
    """Providers someone can answer for in the app: a craftsman whose account can sign in, or a
    unit with partner or property staff who can. An account made for the register with no
    password and never used (``!`` is Django's unusable password) does not count. One query."""
    never_usable = Q(password__startswith="!") & Q(last_login__isnull=True)
    usable = User.objects.filter(is_active=True).exclude(never_usable).values("pk")
    units = RoleAssignment.objects.filter(role__in=[Role.PARTNER_STAFF, Role.PROPERTY_STAFF], user_id__in=usable).values("organisation_id")
    return set(
        Provider.objects.filter(community=community, active=True)
        .filter(Q(user_id__in=usable) | Q(user__isnull=True, organisation_id__in=units))
        .values_list("pk", flat=True)
    )


def suggestions(order: Order, *, limit: int = 10) -> list[Suggestion]:
    """配单 suggestions: those who can accept in the app first (an order offered to someone
    without an account waits at 待接单 until staff record a yes by phone), then signed for this
    service, skill, availability, load and distance within the compound (same building best),
    and past ratings."""
    from django.utils.translation import gettext as _

    service = order.service
    linked = set(service.providers.values_list("pk", flat=True))
    want = wanted_availability(order)
    order_compound = compound_path(order.place.path)
    answerable = answerable_provider_ids(order.community)
    out = []
    for p in providers(order.community).filter(active=True):
        score, reasons = 0.0, [_("可在手机上接单") if p.pk in answerable else _("无账号，须电话确认接单")]
        if p.pk in linked:
            score += 3
            reasons.append(_("签约本服务"))
        if service.skill and service.skill in p.skills:
            score += 3
            reasons.append(_("技能对口"))
        if want and want in p.availability:
            score += 2
            reasons.append(_("时间合适"))
        if p.base_id:
            if order.place.path.startswith(p.base.path) and building_path(p.base.path):
                score += 3
                reasons.append(_("同楼栋"))
            elif order_compound and compound_path(p.base.path) == order_compound:
                score += 2
                reasons.append(_("同小区"))
        score -= p.load
        reasons.append(_("在办%(n)s单") % {"n": p.load})
        if p.rating_avg:
            score += (float(p.rating_avg) - 3) / 2
            reasons.append(_("评分%(r).1f") % {"r": p.rating_avg})
        out.append(Suggestion(p, score, reasons, answerable=p.pk in answerable))
    out.sort(key=lambda s: (not s.answerable, -s.score, s.provider.load, s.provider.pk))
    return out[:limit]


# ---- agency cases ----------------------------------------------------------------------------------------


def case_rows(qs: QuerySet) -> QuerySet:
    return qs.select_related("resident", "agent").annotate(
        n_steps=Count("steps", distinct=True), n_done=Count("steps", filter=Q(steps__done_on__isnull=False), distinct=True)
    )


def household_cases(resident) -> QuerySet:
    """A resident's household's agency cases (their own page)."""
    if resident is None:
        return AgencyCase.objects.none()
    return AgencyCase.objects.filter(resident__household_id=resident.household_id)


def cases_carried_by(user) -> QuerySet:
    return AgencyCase.objects.filter(agent=user, status=CaseStatus.OPEN)


def case_detail(case: AgencyCase) -> dict:
    return {"steps": list(case.steps.all()), "documents": list(case.documents.all())}


# ---- the canteen ----------------------------------------------------------------------------------------


def canteen_of(community: Place) -> Canteen | None:
    return Canteen.objects.filter(community=community, active=True).prefetch_related("care_tags").first()


def week_meals(canteen: Canteen, start: date, days: int = 7) -> list[Meal]:
    return list(canteen.meals.filter(date__gte=start, date__lt=start + timedelta(days=days)).order_by("date", "kind"))


def my_meal_orders(user, *, since: date) -> QuerySet:
    resident = user.resident if getattr(user, "resident_id", None) else None
    q = Q(ordered_by=user)
    if resident is not None:
        q |= Q(resident__household_id=resident.household_id)
    return (
        MealOrder.objects.filter(q, meal__date__gte=since).select_related("meal__canteen", "resident").order_by("meal__date", "meal__kind")
    )


def diners_per_day(canteen: Canteen, start: date, end: date) -> list[dict]:
    """Places ordered (not cancelled) per day, of them delivered, and the takings."""
    rows = (
        MealOrder.objects.filter(meal__canteen=canteen, meal__date__gte=start, meal__date__lte=end)
        .exclude(status=MealOrderStatus.CANCELLED)
        .values("meal__date")
        .annotate(diners=Sum("quantity"), delivered=Sum("quantity", filter=Q(delivery=True)), orders=Count("id"))
        .order_by("meal__date")
    )
    amounts = defaultdict(lambda: 0)
    for d, price, qty in (
        MealOrder.objects.filter(meal__canteen=canteen, meal__date__gte=start, meal__date__lte=end)
        .exclude(status=MealOrderStatus.CANCELLED)
        .values_list("meal__date", "unit_price", "quantity")
    ):
        amounts[d] += price * qty
    return [
        {
            "date": r["meal__date"],
            "diners": r["diners"] or 0,
            "delivered": r["delivered"] or 0,
            "orders": r["orders"],
            "amount": amounts[r["meal__date"]],
        }
        for r in rows
    ]


def meal_orders(meal: Meal) -> QuerySet:
    return meal.orders.exclude(status=MealOrderStatus.CANCELLED).select_related("resident__household__dwelling").order_by("-delivery", "id")


# ---- rooms -----------------------------------------------------------------------------------------------


def rooms(community: Place) -> QuerySet:
    return Room.objects.filter(community=community).order_by("id")


def room_schedule(room: Room, start: date, days: int = 7) -> list[dict]:
    """Each day of the week: the bookings holding the room, in order."""
    tz = _tz()
    begin = datetime.combine(start, time.min, tzinfo=tz)
    end = begin + timedelta(days=days)
    bookings = list(
        room.bookings.filter(status__in=BookingStatus.holding(), starts_at__lt=end, ends_at__gt=begin)
        .select_related("organisation", "council", "booked_by")
        .order_by("starts_at")
    )
    out = []
    for n in range(days):
        day = start + timedelta(days=n)
        out.append(
            {
                "date": day,
                "open": not room.open_weekdays or day.weekday() in room.open_weekdays,
                "bookings": [b for b in bookings if timezone.localtime(b.starts_at, tz).date() == day],
            }
        )
    return out


def pending_bookings(community: Place) -> QuerySet:
    return Booking.objects.filter(room__community=community, status=BookingStatus.PENDING).select_related(
        "room", "organisation", "council", "booked_by"
    )


def my_bookings(user) -> QuerySet:
    return (
        Booking.objects.filter(booked_by=user, ends_at__gte=timezone.now())
        .exclude(status=BookingStatus.CANCELLED)
        .select_related("room", "organisation", "council")
        .order_by("starts_at")
    )


# ---- figures ----------------------------------------------------------------------------------------------


def _hours(a: datetime | None, b: datetime | None) -> float | None:
    return (b - a).total_seconds() / 3600 if a and b else None


def _summary(values: list[float]) -> dict:
    return {"n": len(values), "mean": round(mean(values), 1) if values else None, "median": round(median(values), 1) if values else None}


def figures(community: Place, start: date, end: date) -> dict:
    """The community's service figures for a period (orders created in it): per service the
    orders, done, cancelled, hours to match (ordered → accepted) and to deliver (ordered →
    visit recorded), ratings; craftsmen by origin; meals, bookings and agency cases."""
    tz = _tz()
    begin = datetime.combine(start, time.min, tzinfo=tz)
    finish = datetime.combine(end + timedelta(days=1), time.min, tzinfo=tz)
    rows = Order.objects.filter(community=community, created_at__gte=begin, created_at__lt=finish).values_list(
        "service_id", "service__name", "status", "created_at", "accepted_at", "delivered_at", "rating", "flag_reason"
    )
    per = {}
    every = {"orders": 0, "done": 0, "cancelled": 0, "late": 0, "match": [], "deliver": [], "ratings": []}
    for service_id, name, status, created, accepted, delivered, rating, flag in rows:
        s = per.setdefault(
            service_id, {"name": name, "orders": 0, "done": 0, "cancelled": 0, "late": 0, "match": [], "deliver": [], "ratings": []}
        )
        for bucket in (s, every):
            bucket["orders"] += 1
            bucket["done"] += status == OrderStatus.DONE
            bucket["cancelled"] += status == OrderStatus.CANCELLED
            bucket["late"] += flag in (Order.Flag.MATCH_LATE, Order.Flag.DELIVER_LATE)
            if (h := _hours(created, accepted)) is not None:
                bucket["match"].append(h)
            if (h := _hours(created, delivered)) is not None:
                bucket["deliver"].append(h)
            if rating:
                bucket["ratings"].append(rating)

    def shape(b):
        return {
            **{k: b[k] for k in ("orders", "done", "cancelled", "late")},
            **({"name": b["name"]} if "name" in b else {}),
            "match_hours": _summary(b["match"]),
            "deliver_hours": _summary(b["deliver"]),
            "rating": round(mean(b["ratings"]), 2) if b["ratings"] else None,
            "rated": len(b["ratings"]),
            "satisfied": sum(r >= 4 for r in b["ratings"]),
        }

    craftsmen = dict(
        Provider.objects.filter(community=community, kind=ProviderKind.CRAFTSMAN, active=True)
        .values_list("origin")
        .annotate(n=Count("id"))
        .values_list("origin", "n")
    )
    brands = list(
        Provider.objects.filter(community=community, active=True).exclude(brand="").values("brand").annotate(n=Count("id")).order_by("-n")
    )
    meals = (
        MealOrder.objects.filter(meal__canteen__community=community, meal__date__gte=start, meal__date__lte=end)
        .exclude(status=MealOrderStatus.CANCELLED)
        .aggregate(diners=Sum("quantity"), delivered=Sum("quantity", filter=Q(delivery=True)))
    )
    bookings = Booking.objects.filter(
        room__community=community, starts_at__gte=begin, starts_at__lt=finish, status=BookingStatus.APPROVED
    ).count()
    cases = AgencyCase.objects.filter(community=community, opened_at__gte=begin, opened_at__lt=finish).aggregate(
        opened=Count("id"), done=Count("id", filter=Q(status=CaseStatus.DONE))
    )
    return {
        "services": sorted((shape(b) for b in per.values()), key=lambda r: -r["orders"]),
        "total": shape(every),
        "craftsmen": {"total": sum(craftsmen.values()), "by_origin": craftsmen},
        "brands": brands,
        "diners": meals["diners"] or 0,
        "delivered_meals": meals["delivered"] or 0,
        "bookings": bookings,
        "cases": cases,
    }
