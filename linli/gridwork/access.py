"""Who patrols, visits and records where; who sees the grid's compliance: grid work's one home
for permissions.

* Grid workers and leaders patrol the compounds of their grid (a compound is theirs when one of
  its buildings is in their grid or its micro-grids).
* Visits and 民情 records: grid workers and leaders in their grid, building heads in their
  building, community staff; a red steward (红色小管家) for the households linked to them.
* Compliance and overdue visits: the grid leader for the grid, staff for the community, the
  street for its communities; a grid worker sees their own day.
"""

from __future__ import annotations

from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy

from linli.accounts.models import STAFF_AND_ADMIN, Role
from linli.accounts.scope import Reach, Scope, register_capability, register_locator, require  # noqa: F401 (access.require)
from linli.gridwork.models import Patrol, Round, RoundContact, SentimentRecord, StewardLink, SupportingForce, Visit
from linli.registry.models import Grid, Household, Place, PlaceKind
from linli.registry.vocabulary import below_level, compound_path

R = Role
_STAFF = STAFF_AND_ADMIN


def _cap(name, roles, label):
    return register_capability(name, roles=roles, label=label, domain="gridwork")


PATROL = _cap("patrol", {R.GRID_WORKER, R.GRID_LEADER}, gettext_lazy("巡查"))
RECORD_VISITS = _cap("record_visits", {R.GRID_WORKER, R.GRID_LEADER, R.BUILDING_HEAD, *_STAFF}, gettext_lazy("走访和民情记录"))
VIEW_GRIDWORK = _cap("view_gridwork", {R.GRID_LEADER, *_STAFF, R.STREET_SUPERVISOR}, gettext_lazy("查看网格工作情况"))
MANAGE_ROUNDS = _cap("manage_rounds", _STAFF, gettext_lazy("组织走访轮次"))
STEWARD = _cap("steward_households", {R.RED_STEWARD}, gettext_lazy("小管家联户"))

register_locator(Patrol, path="compound__path", grid="grid_id")
register_locator(Visit, path="household__dwelling__path", grid="household__dwelling__grid_id", household="household_id")
register_locator(SentimentRecord, path="place__path", grid="grid_id", household="household_id")
register_locator(Round, path="community__path")
register_locator(RoundContact, path="household__dwelling__path", grid="household__dwelling__grid_id", household="household_id")
register_locator(StewardLink, path="household__dwelling__path", grid="household__dwelling__grid_id", household="household_id")
register_locator(SupportingForce, path="grid__community__path", grid="grid_id")


# ---- patrols --------------------------------------------------------------------------------------


def patrol_reaches(scope: Scope) -> list[Reach]:
    return [r for r in scope.granting(PATROL) if r.grid_ids]


def patrol_grid_for(scope: Scope, compound: Place) -> Grid | None:
    """The grid in whose name this user patrols this compound: theirs when one of the
    compound's buildings is in it (or in its micro-grids). The top grid of the reach counts."""
    if compound.kind != PlaceKind.COMPOUND:
        return None
    for reach in patrol_reaches(scope):
        if Place.objects.filter(path__startswith=compound.path, kind=PlaceKind.BUILDING, grid_id__in=reach.grid_ids).exists():
            return (
                Grid.objects.filter(pk__in=reach.grid_ids, parent__isnull=True).first()
                or Grid.objects.filter(pk__in=reach.grid_ids).first()
            )
    return None


def patrol_compounds(scope: Scope) -> QuerySet:
    """The compounds this user patrols."""
    grid_ids = sorted({g for r in patrol_reaches(scope) for g in r.grid_ids})
    paths = Place.objects.filter(kind=PlaceKind.BUILDING, grid_id__in=grid_ids).values_list("path", flat=True)
    compound_paths = sorted({compound_path(p) for p in paths} - {None})
    return Place.objects.filter(kind=PlaceKind.COMPOUND, path__in=compound_paths).order_by("path")


def can_patrol(scope: Scope) -> bool:
    return bool(patrol_reaches(scope))


def can_end_patrol(scope: Scope, user, patrol: Patrol) -> bool:
    """Only the worker ends their patrol (whether it is still open is the service's state check)."""
    return patrol.worker_id == getattr(user, "pk", None) and can_patrol(scope)


# ---- visits and 民情 --------------------------------------------------------------------------------


def steward_household_ids(user) -> set[int]:
    if not getattr(user, "pk", None):
        return set()
    return set(StewardLink.objects.filter(steward_id=user.pk).values_list("household_id", flat=True))


def can_record_visit(scope: Scope, user, household: Household) -> bool:
    return scope.can(RECORD_VISITS, household) or (scope.has(STEWARD) and household.pk in steward_household_ids(user))


def visitable_households(scope: Scope, user) -> QuerySet:
    q = scope.q(Household, RECORD_VISITS)
    if scope.has(STEWARD):
        q |= Q(pk__in=sorted(steward_household_ids(user)))
    return Household.objects.filter(q)


def can_record_sentiment(scope: Scope, user, *, place: Place | None = None, household: Household | None = None) -> bool:
    if household is not None:
        return can_record_visit(scope, user, household)
    return place is not None and (scope.can(RECORD_VISITS, place) or patrol_grid_for(scope, place) is not None)


def visible_visits(scope: Scope, user) -> QuerySet:
    q = scope.q(Visit, VIEW_GRIDWORK) | scope.q(Visit, RECORD_VISITS)
    if getattr(user, "pk", None):
        q |= Q(worker_id=user.pk)
    return Visit.objects.filter(q)


def visible_sentiments(scope: Scope, user) -> QuerySet:
    q = scope.q(SentimentRecord, VIEW_GRIDWORK) | scope.q(SentimentRecord, RECORD_VISITS)
    if getattr(user, "pk", None):
        q |= Q(worker_id=user.pk)
    return SentimentRecord.objects.filter(q)


# ---- oversight ----------------------------------------------------------------------------------------


def can_view_grid(scope: Scope, grid: Grid) -> bool:
    """The grid's compliance and overdue visits: its leader, the community's staff, the street."""
    return scope.can(VIEW_GRIDWORK, grid)


def can_view_community(scope: Scope, community: Place) -> bool:
    return community.kind == PlaceKind.COMMUNITY and scope.can(VIEW_GRIDWORK, community)


def viewable_grids(scope: Scope) -> QuerySet:
    return scope.filter(Grid.objects.all(), VIEW_GRIDWORK)


def can_manage_rounds(scope: Scope, community: Place) -> bool:
    return community.kind == PlaceKind.COMMUNITY and scope.can(MANAGE_ROUNDS, community)


def round_community(scope: Scope, home: Place | None) -> Place | None:
    """The community whose rounds this user organises: their own, else the first they may."""
    if home is not None and can_manage_rounds(scope, home):
        return home
    if not scope.has(MANAGE_ROUNDS):
        return None
    from linli.registry.access import communities

    return communities(scope, MANAGE_ROUNDS).order_by("path").first()


def can_view_round(scope: Scope, rnd: Round) -> bool:
    # The list and the page ask the same rows: whoever sees a round listed may open it.
    return visible_rounds(scope).filter(pk=rnd.pk).exists()


def can_record_contact(scope: Scope, user, rnd: Round, household: Household) -> bool:
    in_round = (
        rnd.grids.filter(pk=household.dwelling.grid_id).exists() or rnd.grids.filter(micro_grids__pk=household.dwelling.grid_id).exists()
    )
    return in_round and can_record_visit(scope, user, household)


def building_paths(scope: Scope) -> list[str]:
    """The buildings a building head (楼栋长) visits in: reaches below community level."""
    return [r.path for r in scope.granting(RECORD_VISITS) if below_level(r.path, PlaceKind.COMMUNITY)]


def visible_rounds(scope: Scope) -> QuerySet:
    """Rounds decided per row: the community's overseers see all of them; grid workers,
    stewards and building heads see the rounds that cover their grid or building."""
    from linli.registry.access import community_ids

    q = Q(community_id__in=sorted(community_ids(scope, VIEW_GRIDWORK)))
    q |= Q(community__in=scope.filter(Place.objects.filter(kind=PlaceKind.COMMUNITY), RECORD_VISITS))
    grid_ids = sorted({g for cap in (RECORD_VISITS, STEWARD) for r in scope.granting(cap) for g in r.grid_ids})
    if grid_ids:
        q |= Q(grids__pk__in=grid_ids) | Q(grids__micro_grids__pk__in=grid_ids)
    for path in building_paths(scope):
        q |= Q(grids__places__path__startswith=path) | Q(grids__micro_grids__places__path__startswith=path)
    return Round.objects.filter(pk__in=Round.objects.filter(q).values("pk"))


def can_manage_structure(scope: Scope, community: Place) -> bool:
    """Grids, their people, organisations, the party tree: the community's staff (registry)."""
    from linli.registry.access import MANAGE_PLACES

    return scope.can(MANAGE_PLACES, community)
