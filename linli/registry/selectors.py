"""Every registry read beyond a plain get. Each takes the user's Scope first: there is no
unscoped way to list people."""

from __future__ import annotations

import re

from django.db.models import Count, Prefetch, Q, QuerySet
from django.db.models.functions import Substr
from django.http import Http404

from linli.accounts.models import Role, RoleAssignment
from linli.accounts.scope import Capability, Scope
from linli.core import crypto, idcard
from linli.core import phone as phone_rules
from linli.registry.models import CareTag, Grid, Household, Place, PlaceKind, Resident

_LATIN = re.compile(r"^[a-zA-Z]+$")


def _get_or_404(qs: QuerySet, pk):
    """Missing and forbidden look the same: 404, so ids do not leak what exists."""
    try:
        return qs.get(pk=pk)
    except (qs.model.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def access_place(scope: Scope, pk, capability: Capability = Capability.VIEW_REGISTRY) -> Place:
    return _get_or_404(scope.places(capability=capability), pk)


def access_grid(scope: Scope, pk, capability: Capability = Capability.VIEW_REGISTRY) -> Grid:
    return _get_or_404(scope.grids(capability=capability).select_related("community", "parent"), pk)


def access_household(scope: Scope, pk, capability: Capability = Capability.VIEW_REGISTRY) -> Household:
    return _get_or_404(scope.households(capability=capability).select_related("dwelling__grid"), pk)


def access_resident(scope: Scope, pk, capability: Capability = Capability.VIEW_REGISTRY) -> Resident:
    qs = scope.residents(capability=capability).select_related("household__dwelling__grid").prefetch_related("care_tags")
    return _get_or_404(qs, pk)


def place_roots(scope: Scope) -> QuerySet:
    """The highest places the user sees: the tree starts there."""
    places = scope.places()
    depths = places.order_by("depth").values_list("depth", flat=True)[:1]
    if not depths:
        return places.none()
    return places.filter(depth=depths[0]).order_by("path")


def place_children(scope: Scope, place: Place) -> QuerySet:
    return scope.places().filter(path__startswith=place.path, depth=place.depth + 1).select_related("grid").order_by("path")


def place_ancestors(scope: Scope, place: Place) -> list[Place]:
    step = Place.steplen
    paths = [place.path[:i] for i in range(step, len(place.path), step)]
    return list(scope.places().filter(path__in=paths).order_by("depth"))


def place_summary(scope: Scope, place: Place) -> dict:
    """Counts under a place, within what the user sees."""
    residents = scope.residents().filter(household__dwelling__path__startswith=place.path, is_active=True)
    return {
        "residents": residents.count(),
        "households": scope.households().filter(dwelling__path__startswith=place.path).count(),
        "buildings": scope.places().filter(path__startswith=place.path, kind=PlaceKind.BUILDING).count(),
    }


def facilities_at(scope: Scope, place: Place) -> QuerySet:
    return scope.facilities().filter(place__path__startswith=place.path).select_related("place", "responsible")


def organisations_at(scope: Scope, place: Place) -> QuerySet:
    return scope.organisations().filter(place__path__startswith=place.path).prefetch_related("served_compounds")


def grid_list(scope: Scope) -> QuerySet:
    return (
        scope.grids()
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
    buildings = list(scope.places().filter(grid_id__in=grid_family(grid), kind=PlaceKind.BUILDING).order_by("path"))
    if not buildings:
        return buildings
    width = len(buildings[0].path)
    counts = dict(
        scope.residents()
        .filter(is_active=True, household__dwelling__grid_id__in=grid_family(grid))
        .annotate(building_path=Substr("household__dwelling__path", 1, width))
        .values("building_path")
        .annotate(n=Count("id"))
        .values_list("building_path", "n")
    )
    for b in buildings:
        b.resident_count = counts.get(b.path, 0)
    return buildings


def grid_family(grid: Grid) -> list[int]:
    """A grid and its micro-grids: a grid's people include those of its micro-grids."""
    return [grid.pk, *Grid.objects.filter(parent=grid).values_list("pk", flat=True)]


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
    qs = scope.residents()
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
    if query:
        qs = qs.filter(search_filter(query))
    return (
        # Lists show the stored masked copies; the encrypted columns are not even read.
        qs.defer("id_number", "phone")
        .select_related("household__dwelling")
        .prefetch_related(Prefetch("care_tags", queryset=CareTag.objects.order_by("id")))
        .order_by("household__dwelling__path", "household_id", "id")
    )


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
    return resident_list(scope, household=household, include_inactive=True).order_by("relationship", "id")


def care_tags() -> QuerySet:
    return CareTag.objects.order_by("id")


def facility_list(scope: Scope) -> QuerySet:
    return scope.facilities().select_related("place", "responsible")


def organisation_list(scope: Scope) -> QuerySet:
    return scope.organisations().select_related("place").prefetch_related("served_compounds")


def grid_party_organisations(scope: Scope, grid: Grid) -> QuerySet:
    """The grid's party branch with its building groups and party-member households, in tree order."""
    return (
        scope.party_organisations().filter(grid_id__in=grid_family(grid)).select_related("building", "household__dwelling").order_by("path")
    )
