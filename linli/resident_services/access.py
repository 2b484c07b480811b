"""Who may order, match, accept, deliver, confirm, carry an agency case, order a meal and book
a room: the services' one home for permissions.

A resident orders for their own household; grid workers, building heads and staff order for
residents in their reach (the registry's reach). Staff of the community keep the catalogue and
the providers, match orders (配单), run the canteen and decide bookings. A provider sees only the
orders offered to them — the craftsman through their own account, an organisation through its
staff's partner role — and only the winner of an order records the visit. The street sees
figures (counts), never an order.
"""

from __future__ import annotations

from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy

from linli.accounts.models import STAFF_AND_ADMIN, Role
from linli.accounts.scope import Scope, register_capability, register_locator, require  # noqa: F401 (access.require)
from linli.registry.access import acts_in_community
from linli.registry.models import Place, Resident
from linli.registry.vocabulary import own_resident
from linli.resident_services.models import (
    AgencyCase,
    BookingStatus,
    Canteen,
    CaseStatus,
    Eligibility,
    Order,
    OrderStatus,
    Provider,
    Room,
    Service,
)

R = Role
_STAFF = STAFF_AND_ADMIN


def _cap(name, roles, label):
    return register_capability(name, roles=roles, label=label, domain="services")


MANAGE_SERVICES = _cap("manage_services", _STAFF, gettext_lazy("管理服务清单、配单、食堂与场地"))
ORDER_FOR_OTHERS = _cap(
    "order_services_for_others", {R.BUILDING_HEAD, R.GRID_WORKER, R.GRID_LEADER, *_STAFF}, gettext_lazy("代居民点单、订餐")
)
CARRY_AGENCY = _cap("carry_agency_cases", {R.GRID_WORKER, R.GRID_LEADER, *_STAFF}, gettext_lazy("受理和代办全程代办事项"))
VIEW_SERVICE_FIGURES = _cap("view_service_figures", {*_STAFF, R.STREET_SUPERVISOR}, gettext_lazy("查看为民服务统计"))

for model in (Service, Provider, Canteen, Room):
    register_locator(model, path="community__path")
register_locator(Order, path="place__path", grid="place__grid_id", household="resident__household_id")
register_locator(
    AgencyCase,
    path="resident__household__dwelling__path",
    grid="resident__household__dwelling__grid_id",
    household="resident__household_id",
)


# ---- who is who ---------------------------------------------------------------------------------


def providers_of(scope: Scope, user) -> QuerySet:
    """The providers this person answers for: their own craftsman entry, or an organisation
    whose staff (partner or property role) they are."""
    if not getattr(user, "is_authenticated", False):
        return Provider.objects.none()
    q = Q(user_id=user.pk)
    if scope.organisation_ids:
        q |= Q(organisation_id__in=sorted(scope.organisation_ids), user__isnull=True)
    return Provider.objects.filter(q, active=True)


def provider_ids(scope: Scope, user) -> set[int]:
    cached = getattr(user, "_linli_provider_ids", None)
    if cached is None:
        cached = set(providers_of(scope, user).values_list("pk", flat=True))
        if getattr(user, "is_authenticated", False):
            user._linli_provider_ids = cached
    return cached


def _own_household(user, resident: Resident) -> bool:
    mine = own_resident(user)
    return bool(mine and mine.household_id == resident.household_id)


# ---- the catalogue and ordering -------------------------------------------------------------------------


def can_manage(scope: Scope, community: Place) -> bool:
    return acts_in_community(scope, MANAGE_SERVICES, community)


def can_view_figures(scope: Scope, community: Place) -> bool:
    return acts_in_community(scope, VIEW_SERVICE_FIGURES, community)


def can_order_for(scope: Scope, user, resident: Resident) -> bool:
    """One's own household, or a resident in a reach that may order for others."""
    return _own_household(user, resident) or scope.can(ORDER_FOR_OTHERS, resident)


def eligible(service: Service, resident: Resident) -> bool:
    """Who may be served: everyone, or residents holding one of the service's care tags."""
    if not service.active or resident.household.dwelling.community_id != service.community_id:
        return False
    if service.eligibility == Eligibility.ALL:
        return True
    wanted = {t.pk for t in service.care_tags.all()}
    return bool(wanted) and resident.care_tags.filter(pk__in=wanted).exists()


def order_residents(scope: Scope, user, resident_pk: int | None) -> QuerySet:
    """Whom the order form offers: one's own household, plus the resident asked for when the
    person may order for them."""
    mine = own_resident(user)
    q = Q(household_id=mine.household_id) if mine is not None else Q(pk__in=[])
    if resident_pk:
        q |= Q(pk__in=orderable_residents(scope, user).filter(pk=resident_pk).values("pk"))
    return Resident.objects.filter(q, is_active=True).select_related("household__dwelling").order_by("pk")


def orderable_residents(scope: Scope, user) -> QuerySet:
    """Residents this person may order for (beyond their own household)."""
    return scope.filter(Resident.objects.filter(is_active=True), ORDER_FOR_OTHERS)


def visible_orders(scope: Scope, user) -> QuerySet:
    """Staff: their community's; agents: those in their reach; a resident: their household's;
    a provider: only the orders offered to them."""
    if not getattr(user, "is_authenticated", False):
        return Order.objects.none()
    q = scope.q(Order, MANAGE_SERVICES) | scope.q(Order, ORDER_FOR_OTHERS) | Q(ordered_by_id=user.pk)
    mine = own_resident(user)
    if mine is not None:
        q |= Q(resident__household_id=mine.household_id)
    providers = provider_ids(scope, user)
    if providers:
        q |= Q(offers__provider_id__in=sorted(providers))
    return Order.objects.filter(q).distinct()


def can_view_order(scope: Scope, user, order: Order) -> bool:
    if order.ordered_by_id == getattr(user, "pk", None) or _own_household(user, order.resident):
        return True
    if scope.can(MANAGE_SERVICES, order) or scope.can(ORDER_FOR_OTHERS, order):
        return True
    providers = provider_ids(scope, user)
    return bool(providers) and order.offers.filter(provider_id__in=sorted(providers)).exists()


def can_match(scope: Scope, order: Order) -> bool:
    return order.status in (OrderStatus.ORDERED, OrderStatus.OFFERED) and can_manage(scope, order.community)


def can_answer(scope: Scope, user, order: Order, provider: Provider) -> bool:
    """Accept or decline: the provider must hold an open offer of an order still on offer."""
    return (
        order.status == OrderStatus.OFFERED
        and provider.pk in provider_ids(scope, user)
        and order.offers.filter(provider=provider, status="offered").exists()
    )


def can_record_phone_acceptance(scope: Scope, order: Order) -> bool:
    """Staff record a yes given by phone (a craftsman without the app), while the order waits."""
    return can_match(scope, order)


def can_deliver(scope: Scope, user, order: Order) -> bool:
    """The provider who won the order records the visit; for one who accepted by phone (no app),
    staff record it as they hear it."""
    if order.status != OrderStatus.ACCEPTED:
        return False
    return order.provider_id in provider_ids(scope, user) or (order.accepted_by_phone and can_manage(scope, order.community))


def can_confirm(scope: Scope, user, order: Order) -> bool:
    """The resident's household, or the agent who ordered for someone without a phone."""
    if order.status != OrderStatus.DELIVERED:
        return False
    return _own_household(user, order.resident) or order.ordered_by_id == getattr(user, "pk", None)


def can_cancel(scope: Scope, user, order: Order) -> bool:
    if not order.is_open:
        return False
    if can_manage(scope, order.community):
        return True
    early = order.status in (OrderStatus.ORDERED, OrderStatus.OFFERED)
    return early and (_own_household(user, order.resident) or order.ordered_by_id == getattr(user, "pk", None))


def order_actions(scope: Scope, user, order: Order) -> dict[str, object]:
    """What this person's order page offers, each answered by the predicate its service asks.
    ``answer`` names the provider entries that may accept or decline."""
    actions: dict[str, object] = {}
    if can_match(scope, order):
        actions["match"] = True
    if can_record_phone_acceptance(scope, order):
        actions["phone_accept"] = True
    if order.status == OrderStatus.OFFERED:
        mine = [o.provider for o in order.offers.all() if o.status == "offered" and o.provider_id in provider_ids(scope, user)]
        if mine:
            actions["answer"] = mine
    if can_deliver(scope, user, order):
        actions["deliver"] = True
    if can_confirm(scope, user, order):
        actions["confirm"] = True
    if can_cancel(scope, user, order):
        actions["cancel"] = True
    return actions


def can_see_photos(scope: Scope, user, order: Order) -> bool:
    return can_view_order(scope, user, order)


# ---- agency cases --------------------------------------------------------------------------------------


def can_open_case(scope: Scope, resident: Resident) -> bool:
    return scope.can(CARRY_AGENCY, resident)


def case_residents(scope: Scope) -> QuerySet:
    return scope.filter(Resident.objects.filter(is_active=True), CARRY_AGENCY)


def can_view_case(scope: Scope, user, case: AgencyCase) -> bool:
    return case.agent_id == getattr(user, "pk", None) or _own_household(user, case.resident) or scope.can(CARRY_AGENCY, case)


def can_carry(scope: Scope, user, case: AgencyCase) -> bool:
    """Record steps and documents: the agent carrying it, or the community's staff."""
    if case.status != CaseStatus.OPEN:
        return False
    return case.agent_id == getattr(user, "pk", None) or can_manage(scope, case.community)


def visible_cases(scope: Scope, user) -> QuerySet:
    if not getattr(user, "is_authenticated", False):
        return AgencyCase.objects.none()
    q = scope.q(AgencyCase, CARRY_AGENCY) | Q(agent_id=user.pk)
    mine = own_resident(user)
    if mine is not None:
        q |= Q(resident__household_id=mine.household_id)
    return AgencyCase.objects.filter(q)


# ---- canteen and rooms ---------------------------------------------------------------------------------


def can_order_meal(scope: Scope, user, canteen: Canteen, resident: Resident) -> bool:
    return (
        canteen.active
        and resident.household.dwelling.community_id == canteen.community_id
        and (_own_household(user, resident) or scope.can(ORDER_FOR_OTHERS, resident))
    )


def can_cancel_meal_order(scope: Scope, user, meal_order) -> bool:
    return (
        meal_order.status == "ordered"
        and meal_order.meal.open_for_orders
        and (
            _own_household(user, meal_order.resident)
            or meal_order.ordered_by_id == getattr(user, "pk", None)
            or can_manage(scope, meal_order.meal.canteen.community)
        )
    )


def can_book(scope: Scope, user, room: Room) -> bool:
    """Residents of the community, its staff, and the staff of organisations in it."""
    if not room.active or not getattr(user, "is_authenticated", False):
        return False
    if can_manage(scope, room.community):
        return True
    resident = own_resident(user)
    if resident is not None and resident.household.dwelling.community_id == room.community_id:
        return True
    return booking_organisations(scope).filter(place__path__startswith=room.community.path).exists()


def booking_organisations(scope: Scope) -> QuerySet:
    """Organisations this person books for (their partner or property staff role)."""
    from linli.registry.models import Organisation

    if not scope.organisation_ids:
        return Organisation.objects.none()
    return Organisation.objects.filter(pk__in=sorted(scope.organisation_ids))


def can_decide_booking(scope: Scope, booking) -> bool:
    return booking.status == BookingStatus.PENDING and can_manage(scope, booking.room.community)


def can_cancel_booking(scope: Scope, user, booking) -> bool:
    from django.utils import timezone

    if booking.status not in BookingStatus.holding() or booking.ends_at <= timezone.now():
        return False
    return booking.booked_by_id == getattr(user, "pk", None) or can_manage(scope, booking.room.community)


def managed_communities(scope: Scope) -> QuerySet:
    from linli.registry.access import communities

    return communities(scope, MANAGE_SERVICES)


def figure_communities(scope: Scope) -> QuerySet:
    from linli.registry.access import communities

    return communities(scope, VIEW_SERVICE_FIGURES)


def service_community(scope: Scope, user) -> Place | None:
    """Whose catalogue a person sees: their own community's, else the first they manage or
    order in."""
    resident = own_resident(user)
    if resident is not None:
        return resident.household.dwelling.community
    from linli.registry.access import communities

    return (managed_communities(scope) | communities(scope, ORDER_FOR_OTHERS)).order_by("path").first()


def can_book_for_council(scope: Scope, user, council) -> bool:
    """A council's members (and its managers) book rooms in its name."""
    from linli.councils import access as council_access

    return council_access.is_manager(scope, user, council) or council.pk in council_access.rights(scope, user).member_of


def councils_for_booking(scope: Scope, user, community: Place) -> list:
    from linli.councils import access as council_access

    return [c for c in council_access.visible_councils(scope, user).filter(community=community) if can_book_for_council(scope, user, c)]


def resident_links(scope: Scope, user, resident: Resident) -> dict[str, bool]:
    """What the registry's resident page offers: order a service, open an agency case."""
    return {"order": scope.can(ORDER_FOR_OTHERS, resident) and not _own_household(user, resident), "case": can_open_case(scope, resident)}


def appeal_order_resident(scope: Scope, appeal) -> Resident | None:
    """An appeal becomes an order for its reporter (when they are a registered resident), by
    the community's staff."""
    reporter = getattr(appeal, "reporter", None)
    if reporter is None or not reporter.resident_id or not can_manage(scope, appeal.community):
        return None
    return reporter.resident
