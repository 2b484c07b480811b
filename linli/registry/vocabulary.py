"""The community's shared words (社区的共同语言): the questions every domain asks of the registry.

Which compound is this place in? Which grids does this grid stand for? In which community does
this person act? Who are the community's staff? Each domain asks them here and nowhere else, so
that when the tree grows a level or a rule changes, one file changes.

Only this module knows how a place's path is built: the tree is treebeard's materialised path,
``Place.steplen`` characters a level, district → street → community → compound → building →
unit → dwelling. Everything else names the level it wants (``compound_path(path)``), never the
arithmetic (``path[: Place.steplen * 4]``).
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import Q
from django.db.models.functions import Substr

from linli.accounts.models import STAFF_ROLES, Role, RoleAssignment, User
from linli.accounts.scope import Scope
from linli.registry.models import Grid, Place, PlaceKind, Resident

# The levels from the root down; a place's depth is its index + 1 (treebeard's ``depth``).
LEVELS: tuple[PlaceKind, ...] = (
    PlaceKind.DISTRICT,
    PlaceKind.STREET,
    PlaceKind.COMMUNITY,
    PlaceKind.COMPOUND,
    PlaceKind.BUILDING,
    PlaceKind.UNIT,
    PlaceKind.DWELLING,
)
_DEPTH = {kind: i + 1 for i, kind in enumerate(LEVELS)}


# ---- places by named level ------------------------------------------------------------------


def depth_of(kind: str) -> int:
    """The tree depth of a level (district 1 … dwelling 7)."""
    return _DEPTH[PlaceKind(kind)]


def path_width(kind: str) -> int:
    """How many characters of a path name the place of this level."""
    return Place.steplen * depth_of(kind)


def path_at(path: str | None, kind: str) -> str | None:
    """The path of the place of level ``kind`` that contains ``path`` (itself when it is one);
    None when ``path`` sits above that level (a community has no compound)."""
    width = path_width(kind)
    if not path or len(path) < width:
        return None
    return path[:width]


def street_path(path: str | None) -> str | None:
    return path_at(path, PlaceKind.STREET)


def community_path(path: str | None) -> str | None:
    return path_at(path, PlaceKind.COMMUNITY)


def compound_path(path: str | None) -> str | None:
    return path_at(path, PlaceKind.COMPOUND)


def building_path(path: str | None) -> str | None:
    return path_at(path, PlaceKind.BUILDING)


def unit_path(path: str | None) -> str | None:
    return path_at(path, PlaceKind.UNIT)


def level_of(path: str) -> PlaceKind | None:
    """The level a path names, by its length alone (no query)."""
    levels = len(path) // Place.steplen
    return LEVELS[levels - 1] if 1 <= levels <= len(LEVELS) and len(path) % Place.steplen == 0 else None


def below_level(path: str | None, kind: str) -> bool:
    """Whether the path names a place strictly below level ``kind`` (a building is below a community)."""
    return bool(path) and len(path) > path_width(kind)


def community_or_above(path: str) -> str:
    """The community containing this path, or the path itself when it names a street or district
    (what "the communities of this reach" start from)."""
    return community_path(path) or path


def ancestor_paths(path: str) -> list[str]:
    """The paths of the places above this one, from the root down (not the place itself)."""
    step = Place.steplen
    return [path[:i] for i in range(step, len(path), step)]


def ancestor_at(place: Place, kind: str) -> Place | None:
    """The place of level ``kind`` that contains ``place`` (itself when it is one), or None."""
    if place.kind == kind:
        return place
    path = path_at(place.path, kind)
    if path is None or path == place.path:
        return None
    return Place.objects.filter(path=path).first()


def same_compound(a: str | None, b: str | None) -> bool:
    """Two paths in the same compound (both at least at compound level)."""
    ca, cb = compound_path(a), compound_path(b)
    return ca is not None and ca == cb


def path_prefix(lookup: str, kind: str) -> Substr:
    """A database expression: the path of the level-``kind`` place containing the row's
    ``lookup`` path (to group rows by compound, building, stairwell … in one query)."""
    return Substr(lookup, 1, path_width(kind))


# ---- the grid family -------------------------------------------------------------------------


def grid_children(grid_ids: Iterable[int]) -> dict[int, set[int]]:
    """Each grid's micro-grids (网格 → 微网格), one query."""
    out: dict[int, set[int]] = {}
    ids = sorted(set(grid_ids))
    if not ids:
        return out
    for child, parent in Grid.objects.filter(parent_id__in=ids).values_list("id", "parent_id"):
        out.setdefault(parent, set()).add(child)
    return out


def _grid_ids(grids: Grid | int | Iterable[Grid | int]) -> set[int]:
    if isinstance(grids, (Grid, int)):
        grids = [grids]
    return {g.pk if isinstance(g, Grid) else int(g) for g in grids}


def grid_family(grids: Grid | int | Iterable[Grid | int]) -> set[int]:
    """A grid and its micro-grids: what "this grid" covers (one grid or several, as grids or ids)."""
    ids = _grid_ids(grids)
    family = set(ids)
    for children in grid_children(ids).values():
        family |= children
    return family


def grid_families(grids: Iterable[Grid | int]) -> dict[int, set[int]]:
    """Per grid, its family (the grid and its micro-grids), one query."""
    ids = _grid_ids(grids)
    children = grid_children(ids)
    return {g: {g} | children.get(g, set()) for g in ids}


def in_grid_family(grid: Grid | int, lookup: str = "grid") -> Q:
    """Rows whose ``lookup`` grid is the grid or one of its micro-grids, as one condition."""
    pk = grid if isinstance(grid, int) else grid.pk
    return Q(**{f"{lookup}_id": pk}) | Q(**{f"{lookup}__parent_id": pk})


# ---- the user's community ---------------------------------------------------------------------


def own_resident_id(user) -> int | None:
    """The registry record a login stands for (a resident's account), or None (staff)."""
    return getattr(user, "resident_id", None) if getattr(user, "is_authenticated", False) else None


def own_resident(user) -> Resident | None:
    return user.resident if own_resident_id(user) else None


def home_community_id(user, scope: Scope | None = None, *, capability=None) -> int | None:
    """The community a person acts in. Without ``capability``: a resident's own (their
    dwelling's) first, else the one their deepest reach sits in (a grid's, a building's, an
    organisation's place's; the first community under a street for a street supervisor). With
    ``capability``: the deepest reach granting it, the resident's own home when none does. One
    answer for the menu, the day pages, registration and every domain."""
    if not getattr(user, "is_authenticated", False):
        return None
    own = user.resident.household.dwelling.community_id if own_resident_id(user) else None
    if own is not None and capability is None:
        return own
    scope = scope or Scope.for_user(user)
    reaches = scope.granting(capability) if capability is not None else scope.reaches
    homes = sorted((r.home_path for r in reaches if r.home_path), key=len, reverse=True)
    if not homes:
        return own
    path = community_path(homes[0])
    qs = Place.objects.filter(kind=PlaceKind.COMMUNITY)
    qs = qs.filter(path=path) if path else qs.filter(path__startswith=homes[0]).order_by("path")
    return qs.values_list("pk", flat=True).first()


def home_community(user, scope: Scope | None = None, *, capability=None) -> Place | None:
    pk = home_community_id(user, scope, capability=capability)
    return Place.objects.filter(pk=pk).first() if pk else None


# ---- who works where --------------------------------------------------------------------------


def _each_once(rows) -> list[User]:
    seen: dict[int, User] = {}
    for r in rows:
        seen.setdefault(r.user_id, r.user)
    return list(seen.values())


def staff_of(community: Place | int, roles: Iterable[Role] = STAFF_ROLES) -> list[User]:
    """The community's staff (社区工作者 and 书记 by default), each once."""
    pk = community if isinstance(community, int) else community.pk
    return _each_once(RoleAssignment.objects.filter(place_id=pk, role__in=sorted(roles)).select_related("user").order_by("user_id"))


def staff_q(community_id: int, roles: Iterable[Role] = STAFF_ROLES, *, prefix: str = "") -> Q:
    """Role assignments that make someone the community's staff, as a condition on
    ``RoleAssignment`` (``prefix`` reaches it from another model, e.g. ``role_assignments__``)."""
    return Q(**{f"{prefix}place_id": community_id, f"{prefix}role__in": sorted(roles)})


def grid_workers_of(grid: Grid | int, roles: Iterable[Role] = (Role.GRID_WORKER, Role.GRID_LEADER)) -> list[User]:
    """Who works a grid (its workers and leader), each once."""
    pk = grid if isinstance(grid, int) else grid.pk
    return _each_once(RoleAssignment.objects.filter(grid_id=pk, role__in=sorted(roles)).select_related("user").order_by("user_id"))


def grid_leaders_of(grid: Grid | int) -> list[User]:
    """The grid's leader(s) (网格长); of a micro-grid, its parent grid's leader as well."""
    pk = grid if isinstance(grid, int) else grid.pk
    parent = Grid.objects.filter(pk=pk).values_list("parent_id", flat=True).first()
    ids = [pk] + ([parent] if parent else [])
    return _each_once(RoleAssignment.objects.filter(grid_id__in=ids, role=Role.GRID_LEADER).select_related("user").order_by("user_id"))
