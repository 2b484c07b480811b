"""Every registry read beyond a plain get. Each takes the user's Scope first: there is no
unscoped way to list people."""

from __future__ import annotations

import re

from django.db.models import Count, Prefetch, Q, QuerySet
from django.db.models.functions import Substr
from django.http import Http404

from linli.accounts.models import Role, RoleAssignment
from linli.accounts.scope import Scope
from linli.core import crypto, idcard
from linli.core import phone as phone_rules
from linli.registry import access
from linli.registry.access import VIEW_REGISTRY
from linli.registry.models import BranchMeeting, CareTag, CrossAppointment, Grid, Household, Place, PlaceKind, Resident
from linli.registry.vocabulary import ancestor_paths, grid_family, street_path

_LATIN = re.compile(r"^[a-zA-Z]+$")


def _get_or_404(qs: QuerySet, pk):
    """Missing and forbidden look the same: 404, so ids do not leak what exists."""
    try:
        return qs.get(pk=pk)
    except (qs.model.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def access_place(scope: Scope, pk, capability=VIEW_REGISTRY) -> Place:
    return _get_or_404(access.places(scope, capability), pk)


def access_grid(scope: Scope, pk, capability=VIEW_REGISTRY) -> Grid:
    return _get_or_404(access.grids(scope, capability).select_related("community", "parent"), pk)


def access_household(scope: Scope, pk, capability=VIEW_REGISTRY) -> Household:
    return _get_or_404(access.households(scope, capability).select_related("dwelling__grid"), pk)


def access_resident(scope: Scope, pk, capability=VIEW_REGISTRY) -> Resident:
    qs = access.residents(scope, capability).select_related("household__dwelling__grid").prefetch_related("care_tags")
    return _get_or_404(qs, pk)


def access_own_or_registry(scope: Scope, model, pk):
    """A resident opens their own household's pages; registry roles open those in reach."""
    visible = scope.q(model, VIEW_REGISTRY) | scope.q(model, access.VIEW_OWN)
    if model is Household:
        qs = Household.objects.filter(visible).select_related("dwelling__grid")
    else:
        qs = Resident.objects.filter(visible).select_related("household__dwelling__grid").prefetch_related("care_tags")
    return _get_or_404(qs, pk)


def place_roots(scope: Scope) -> QuerySet:
    """The highest places the user sees: the tree starts there."""
    places = access.places(scope)
    depths = places.order_by("depth").values_list("depth", flat=True)[:1]
    if not depths:
        return places.none()
    return places.filter(depth=depths[0]).order_by("path")


def place_children(scope: Scope, place: Place) -> QuerySet:
    return access.places(scope).filter(path__startswith=place.path, depth=place.depth + 1).select_related("grid").order_by("path")


def place_ancestors(scope: Scope, place: Place) -> list[Place]:
    return list(access.places(scope).filter(path__in=ancestor_paths(place.path)).order_by("depth"))


def place_summary(scope: Scope, place: Place) -> dict:
    """Counts under a place, within what the user sees."""
    residents = access.residents(scope).filter(household__dwelling__path__startswith=place.path, is_active=True)
    return {
        "residents": residents.count(),
        "households": access.households(scope).filter(dwelling__path__startswith=place.path).count(),
        "buildings": access.places(scope).filter(path__startswith=place.path, kind=PlaceKind.BUILDING).count(),
    }


def facilities_at(scope: Scope, place: Place) -> QuerySet:
    return access.facilities(scope).filter(place__path__startswith=place.path).select_related("place", "responsible")


def organisations_at(scope: Scope, place: Place) -> QuerySet:
    return access.organisations(scope).filter(place__path__startswith=place.path).prefetch_related("served_compounds")


def grid_list(scope: Scope) -> QuerySet:
    return (
        access.grids(scope)
        .select_related("community", "parent")
        .annotate(building_count=Count("places", filter=Q(places__kind=PlaceKind.BUILDING), distinct=True))
        .order_by("code")
    )


def grid_staff(grid: Grid) -> list[RoleAssignment]:
    return list(
        RoleAssignment.objects.filter(grid=grid, role__in=[Role.GRID_LEADER, Role.GRID_WORKER])
        .select_related("user")
        .order_by("role", "user__username")
    )


def grid_buildings(scope: Scope, grid: Grid) -> list[Place]:
    """The grid's buildings, each with its active resident count: two queries whatever the size."""
    buildings = list(access.places(scope).filter(grid_id__in=grid_family(grid), kind=PlaceKind.BUILDING).order_by("path"))
    if not buildings:
        return buildings
    width = len(buildings[0].path)
    counts = dict(
        access.residents(scope)
        .filter(is_active=True, household__dwelling__grid_id__in=grid_family(grid))
        .annotate(building_path=Substr("household__dwelling__path", 1, width))
        .values("building_path")
        .annotate(n=Count("id"))
        .values_list("building_path", "n")
    )
    for b in buildings:
        b.resident_count = counts.get(b.path, 0)
    return buildings


def resident_list(
    scope: Scope,
    *,
    query: str = "",
    grid: Grid | None = None,
    place: Place | None = None,
    household: Household | None = None,
    care_tag: str = "",
    include_inactive: bool = False,
) -> QuerySet:
    qs = access.residents(scope)
    if not include_inactive:
        qs = qs.filter(is_active=True)
    if grid is not None:
        qs = qs.filter(household__dwelling__grid_id__in=grid_family(grid))
    if place is not None:
        qs = qs.filter(household__dwelling__path__startswith=place.path)
    if household is not None:
        qs = qs.filter(household=household)
    if care_tag:
        qs = qs.filter(care_tags__code=care_tag)
        if CareTag.objects.filter(code=care_tag, sensitive=True).exists():
            # Finding people by a sensitive tag would reveal it: only rows where it may be seen.
            qs = qs.filter(scope.q(Resident, access.VIEW_CARE) | scope.q(Resident, access.VIEW_OWN))
    if query:
        qs = qs.filter(search_filter(query))
    return (
        # Lists show the stored masked copies; the encrypted columns are not even read. Each
        # row says whether its sensitive care tags may be shown (a user may hold two roles).
        access.resident_rows(scope, qs)
        .defer("id_number", "phone")
        .select_related("household__dwelling")
        .prefetch_related(Prefetch("care_tags", queryset=CareTag.objects.order_by("id")))
        .order_by("household__dwelling__path", "household_id", "id")
    )


def full_number_kind(query: str) -> str | None:
    """ "phone" or "id_number" when the query is a whole number: such searches are audited and
    rate-limited (services.resident_search_record), since a masked number plus a guess is an oracle."""
    q = (query or "").strip().replace(" ", "")
    digits = phone_rules.normalize(q)
    if digits.isdigit() and len(digits) == 11:
        return "phone"
    if len(q) == 18 and q[:17].isdigit():
        return "id_number"
    return None


def search_filter(query: str) -> Q:
    """Name, pinyin (full or initials), phone (full or last 4), ID number (full)."""
    q = query.strip().replace(" ", "")
    if not q:
        return Q()
    digits = phone_rules.normalize(q)
    if digits.isdigit() and len(digits) == 11:
        return Q(phone_digest=crypto.digest(digits))
    if digits.isdigit() and len(digits) == 4:
        return Q(phone_masked__endswith=digits) | Q(id_number_masked__endswith=digits)
    if len(q) == 18 and q[:17].isdigit():
        return Q(id_number_digest=crypto.digest(idcard.normalize(q)))
    if _LATIN.match(q):
        low = q.lower()
        return Q(name_pinyin__startswith=low) | Q(name_initials__startswith=low)
    return Q(name__contains=q)


def household_members(scope: Scope, household: Household) -> QuerySet:
    """Members of a household the user may open: in reach, or their own."""
    visible = scope.q(Resident, VIEW_REGISTRY) | scope.q(Resident, access.VIEW_OWN)
    qs = Resident.objects.filter(visible, household=household).defer("id_number", "phone")
    return (
        access.resident_rows(scope, qs)
        .prefetch_related(Prefetch("care_tags", queryset=CareTag.objects.order_by("id")))
        .order_by("relationship", "id")
    )


def care_tags(scope: Scope | None = None) -> QuerySet:
    """The tags to filter by: sensitive ones only for those who may see care status somewhere."""
    qs = CareTag.objects.order_by("id")
    if scope is not None and not scope.has(access.VIEW_CARE):
        qs = qs.filter(sensitive=False)
    return qs


def facility_list(scope: Scope) -> QuerySet:
    return access.facilities(scope).select_related("place", "responsible")


def organisation_list(scope: Scope) -> QuerySet:
    return access.organisations(scope).select_related("place").prefetch_related("served_compounds")


def grid_party_organisations(scope: Scope, grid: Grid) -> QuerySet:
    """The grid's party branch with its building groups and party-member households, in tree order."""
    return (
        access.party_organisations(scope)
        .filter(grid_id__in=grid_family(grid))
        .select_related("building", "household__dwelling")
        .order_by("path")
    )


# ---- the community's structure (pages for its staff) ---------------------------------------------------


def managed_communities(scope: Scope) -> QuerySet:
    """Communities whose grids, people, organisations and party tree this user sets up."""
    return access.communities(scope, access.MANAGE_PLACES).order_by("path")


def grid_people(grid: Grid) -> list[RoleAssignment]:
    """Who works in a grid: its (and its micro-grids') workers, leaders and red stewards, and
    the building heads of its buildings."""
    family = grid_family(grid)
    return list(
        RoleAssignment.objects.filter(
            Q(grid_id__in=family, role__in=[Role.GRID_WORKER, Role.GRID_LEADER, Role.RED_STEWARD])
            | Q(role=Role.BUILDING_HEAD, place__grid_id__in=family)
        )
        .select_related("user", "grid", "place")
        .order_by("role", "grid__code", "place__path", "user__username")
    )


def full_time_counts(community_ids) -> dict[int, int]:
    """Full-time grid workers per grid (Tongcheng: one per comprehensive grid)."""
    return dict(
        RoleAssignment.objects.filter(role=Role.GRID_WORKER, full_time=True, grid__community_id__in=list(community_ids))
        .values("grid_id")
        .annotate(n=Count("pk"))
        .values_list("grid_id", "n")
    )


def buildings_outside(grid: Grid) -> QuerySet:
    """The community's buildings not in this grid (to be moved into it)."""
    return (
        Place.objects.filter(community_id=grid.community_id, kind=PlaceKind.BUILDING)
        .exclude(grid_id=grid.pk)
        .select_related("grid")
        .order_by("path")
    )


def party_tree(community: Place) -> list:
    """The community's party organisation in tree order, with the street committee above it when
    there is one. Two queries."""
    from linli.registry.models import PartyOrganisation, PartyOrgKind

    nodes = list(
        PartyOrganisation.objects.filter(
            Q(community=community) | Q(community__path=street_path(community.path), kind=PartyOrgKind.STREET_COMMITTEE)
        )
        .select_related("grid", "compound", "building", "household__dwelling", "secretary")
        .order_by("path")
    )
    return nodes


def community_or_404(pk) -> Place:
    from django.shortcuts import get_object_or_404

    return get_object_or_404(Place, pk=pk, kind=PlaceKind.COMMUNITY)


# ---- party life -------------------------------------------------------------------------------------


def cross_appointments(community) -> list:
    """The community's current cross-appointments (交叉任职), with both posts. One query."""
    return list(
        CrossAppointment.objects.filter(community=community, ended_on__isnull=True).select_related("party_organisation", "organisation")
    )


def current_cross_appointments_prefetch():
    """For an organisation list: each organisation's current cross-appointments as ``crossing``."""
    return Prefetch(
        "cross_appointments",
        queryset=CrossAppointment.objects.filter(ended_on__isnull=True).select_related("party_organisation"),
        to_attr="crossing",
    )


def party_members(community) -> QuerySet:
    """The community's residents tagged as party members (党员, 在职党员)."""
    return (
        Resident.objects.filter(
            household__dwelling__community=community, is_active=True, care_tags__code__in=["party_member", "on_duty_party_member"]
        )
        .distinct()
        .order_by("name")
    )


def branch_meetings(community) -> QuerySet:
    """三会一课 of the community's branches, newest first, with attendance counted."""
    return (
        BranchMeeting.objects.filter(party_organisation__community=community)
        .select_related("party_organisation")
        .annotate(present=Count("attendees", distinct=True))
        .order_by("-held_at", "-id")
    )
