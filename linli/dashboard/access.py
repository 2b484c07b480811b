"""Who sees which figures: the dashboard's one home for permissions.

* A community's staff and secretary: their community (and its grids and buildings).
* A street supervisor: the street, each of its communities, side by side and one by one.
* A grid leader or grid worker: their grid (with its micro-grids); a building head: the building.
* The administrator: the whole district.
Figures never name a resident; the lists behind them open appeals only through the appeals
app's own rules (``appeals.access.visible_appeals``), so a figure never shows more than its
reader could open one by one.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy

from linli.accounts.models import Role
from linli.accounts.scope import Scope, register_capability, register_locator
from linli.dashboard.models import AppealDay, AppealFact
from linli.registry.models import Grid, Place, PlaceKind
from linli.registry.vocabulary import building_path

R = Role
VIEW_DASHBOARD = register_capability(
    "view_dashboard",
    roles={R.GRID_WORKER, R.GRID_LEADER, R.BUILDING_HEAD, R.COMMUNITY_STAFF, R.PARTY_SECRETARY, R.STREET_SUPERVISOR, R.ADMIN},
    label=gettext_lazy("查看数据看板"),
    domain="dashboard",
)
SCORE_PROPERTY = register_capability(
    "score_property", roles={R.COMMUNITY_STAFF, R.PARTY_SECRETARY, R.ADMIN}, label=gettext_lazy("物业双评打分"), domain="dashboard"
)
register_locator(AppealFact, path="community__path", grid="grid_id", community="community_id")
register_locator(AppealDay, path="community__path", community="community_id")

AREA_KINDS = (PlaceKind.DISTRICT, PlaceKind.STREET, PlaceKind.COMMUNITY)


@dataclass(frozen=True)
class Subject:
    """What a dashboard is about: an area (district, street, community), a grid or a building."""

    kind: str  # "place", "grid" or "building"
    obj: Place | Grid

    @property
    def community_id(self) -> int | None:
        if self.kind == "grid":
            return self.obj.community_id
        if self.obj.kind == PlaceKind.COMMUNITY:
            return self.obj.pk
        return self.obj.community_id


def can_view_area(scope: Scope, place: Place) -> bool:
    return place.kind in AREA_KINDS and scope.can(VIEW_DASHBOARD, place) and _whole(scope, place)


def _whole(scope: Scope, place: Place) -> bool:
    """An area's figures are for those whose reach holds the whole area, not one grid of it."""
    return any(r.everything or (r.path and place.path.startswith(r.path)) for r in scope.granting(VIEW_DASHBOARD))


def can_view_grid(scope: Scope, grid: Grid) -> bool:
    return scope.can(VIEW_DASHBOARD, grid)


def can_view_building(scope: Scope, building: Place) -> bool:
    return building.kind == PlaceKind.BUILDING and scope.can(VIEW_DASHBOARD, building)


def home_subject(scope: Scope) -> Subject | None:
    """Where a user's dashboard opens: the widest area they hold, else their grid or building."""
    reaches = scope.granting(VIEW_DASHBOARD)
    if any(r.everything for r in reaches):
        root = Place.objects.filter(depth=1).order_by("path").first()
        return Subject("place", root) if root else None
    paths = sorted((r.path for r in reaches if r.path), key=len)
    if paths:
        place = Place.objects.filter(path=paths[0]).first()
        if place is not None and place.kind in AREA_KINDS:
            return Subject("place", place)
        if place is not None and place.kind == PlaceKind.BUILDING:
            return Subject("building", place)
    grid_ids = sorted({g for r in reaches for g in r.grid_ids})
    if grid_ids:
        grid = Grid.objects.filter(pk__in=grid_ids, parent__isnull=True).order_by("code").first() or Grid.objects.get(pk=grid_ids[0])
        return Subject("grid", grid)
    for path in paths:  # a building head anchored to a unit: the unit's building
        building = Place.objects.filter(kind=PlaceKind.BUILDING, path=building_path(path)).first()
        if building is not None:
            return Subject("building", building)
    return None


def facts_for(subject: Subject) -> QuerySet:
    """The facts a subject's figures count (by where the appeal was reported)."""
    obj = subject.obj
    if subject.kind == "grid":
        family = [obj.pk, *Grid.objects.filter(parent=obj).values_list("pk", flat=True)]
        return AppealFact.objects.filter(grid_id__in=family)
    if subject.kind == "building":
        return AppealFact.objects.filter(building_path=obj.path)
    if obj.kind == PlaceKind.COMMUNITY:
        return AppealFact.objects.filter(community_id=obj.pk)
    return AppealFact.objects.filter(Q(community__path__startswith=obj.path))


def communities_of(place: Place) -> QuerySet:
    return Place.objects.filter(kind=PlaceKind.COMMUNITY, path__startswith=place.path).order_by("path")


def scored_companies(community: Place) -> QuerySet:
    """The property companies a community scores: those registered in it or serving one of its compounds."""
    from linli.registry.models import Organisation

    return (
        Organisation.objects.filter(kind=Organisation.Kind.PROPERTY_COMPANY)
        .filter(Q(place__path__startswith=community.path) | Q(served_compounds__path__startswith=community.path))
        .distinct()
        .order_by("name")
    )


def can_score_property(scope: Scope, community: Place) -> bool:
    return community.kind == PlaceKind.COMMUNITY and scope.can(SCORE_PROPERTY, community)
