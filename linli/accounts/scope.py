"""The scope mechanism: who holds which role where, and the questions every domain asks of it.

This module decides nothing about any domain. Each domain's ``access.py`` registers

* its **capabilities** (``register_capability``): a name and the roles that hold it, and
* its **locators** (``register_locator``): where an object of one of its models sits — the
  lookups to a place path (treebeard's materialised path), a grid id and a household id,

and then states its rules as named predicates (``can_dispatch(scope, appeal)``) and querysets
built from the questions below. The apps import their ``access`` module in ``AppConfig.ready``
so every capability is registered before the first request.

A user holds roles, each anchored somewhere (``RoleAssignment``). Each assignment becomes a
``Reach``: a place subtree (community staff: their community; street supervisor: their street;
building head: their building), a set of grids (grid worker/leader: their grid and its
micro-grids), an organisation, or one household (a resident). A capability holds on an object
where a reach whose role has that capability covers the object. ``home_path`` is the smallest
place that contains the whole reach (a grid's community, an organisation's place): it answers
"in which communities does this person act".
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from django.core.exceptions import ImproperlyConfigured
from django.db.models import Model, Q, QuerySet

from linli.accounts.models import Role, RoleAssignment

# registry.models.PlaceKind.COMMUNITY, spelled here because accounts sits below the registry
# (tests/test_layers.py holds the two equal).
COMMUNITY_KIND = "community"

# ---- capabilities -------------------------------------------------------------------------


@dataclass(frozen=True)
class Capability:
    """A named right, held by some roles. Registered once, by the domain that owns it."""

    name: str
    roles: frozenset[Role]
    label: str = ""
    domain: str = ""

    def __str__(self) -> str:
        return self.name


_CAPABILITIES: dict[str, Capability] = {}


def register_capability(name: str, *, roles: Iterable[Role], label: str = "", domain: str = "") -> Capability:
    roles = frozenset(Role(r) for r in roles)
    existing = _CAPABILITIES.get(name)
    if existing is not None:
        if existing.roles != roles:
            raise ImproperlyConfigured(f"Capability {name!r} is registered twice with different roles.")
        return existing
    cap = Capability(name=name, roles=roles, label=label, domain=domain)
    _CAPABILITIES[name] = cap
    return cap


def registered_capabilities() -> list[Capability]:
    return sorted(_CAPABILITIES.values(), key=lambda c: (c.domain, c.name))


def role_capabilities(role: Role) -> frozenset[Capability]:
    return frozenset(c for c in _CAPABILITIES.values() if role in c.roles)


# ---- where objects sit ----------------------------------------------------------------------


@dataclass(frozen=True)
class Locator:
    """ORM lookups from a model to the three things a reach can cover."""

    path: str | None = None
    grid: str | None = None
    household: str | None = None
    # The row's own community column, where it has one: a community-wide reach then filters on
    # it instead of joining the place tree, so a newest-first list walks its index and stops
    # after a page (the same rows: a row's community is the community its place sits in).
    community: str | None = None


_LOCATORS: dict[type[Model], Locator] = {}


def register_locator(
    model: type[Model], *, path: str | None = None, grid: str | None = None, household: str | None = None, community: str | None = None
) -> None:
    _LOCATORS[model] = Locator(path=path, grid=grid, household=household, community=community)


def locator_for(model: type[Model]) -> Locator:
    for klass in model.__mro__:
        if klass in _LOCATORS:
            return _LOCATORS[klass]
    raise ImproperlyConfigured(f"No locator registered for {model.__name__}: its domain's access.py must register one.")


def _follow(obj, lookup: str | None):
    if lookup is None:
        return None
    for part in lookup.split("__"):
        if obj is None:
            return None
        obj = getattr(obj, part)
    return obj


# Grids contain micro-grids; the registry says which (a hook, so this module needs no Grid).
_grid_children: Callable[[set[int]], dict[int, set[int]]] = lambda ids: {}  # noqa: E731


def register_grid_children(fn: Callable[[set[int]], dict[int, set[int]]]) -> None:
    global _grid_children
    _grid_children = fn


# ---- reaches and the scope --------------------------------------------------------------------


@dataclass(frozen=True)
class Reach:
    role: Role
    everything: bool = False
    path: str | None = None  # place subtree (treebeard materialised path)
    community_id: int | None = None  # set when that subtree is one whole community
    grid_ids: frozenset[int] = frozenset()
    household_id: int | None = None
    organisation_id: int | None = None
    home_path: str | None = None  # the smallest place containing the whole reach
    capabilities: frozenset[Capability] = field(default=frozenset(), compare=False, repr=False)

    def covers(self, *, path: str | None, grid_id: int | None, household_id: int | None = None) -> bool:
        if self.everything:
            return True
        if self.path and path and path.startswith(self.path):
            return True
        if self.grid_ids and grid_id in self.grid_ids:
            return True
        return bool(self.household_id and household_id == self.household_id)


def _reach(role: Role, **kw) -> Reach:
    return Reach(role=role, capabilities=role_capabilities(role), **kw)


class Scope:
    """The user's reaches, computed once per request (cached on the user object)."""

    def __init__(self, reaches: list[Reach], user_id: int | None = None):
        self.reaches = reaches
        self.user_id = user_id

    @classmethod
    def for_user(cls, user) -> Scope:
        if not getattr(user, "is_authenticated", False):
            return cls([])
        cached = getattr(user, "_linli_scope", None)
        if cached is not None:
            return cached
        reaches: list[Reach] = []
        if user.is_superuser:
            reaches.append(_reach(Role.ADMIN, everything=True))
        assignments = list(
            RoleAssignment.objects.filter(user=user)
            .select_related("place", "grid__community", "organisation__place", "household__dwelling")
            .only(
                "role",
                "place__path",
                "place__kind",
                "grid_id",
                "grid__community__path",
                "household_id",
                "household__dwelling__path",
                "organisation_id",
                "organisation__place__path",
            )
        )
        grid_ids = {a.grid_id for a in assignments if a.grid_id}
        children = _grid_children(grid_ids) if grid_ids else {}
        for a in assignments:
            role = Role(a.role)
            if role == Role.ADMIN:
                reaches.append(_reach(role, everything=True))
            elif a.grid_id:
                family = frozenset({a.grid_id} | children.get(a.grid_id, set()))
                reaches.append(_reach(role, grid_ids=family, home_path=a.grid.community.path))
            elif a.place_id:
                whole_community = a.place_id if a.place.kind == COMMUNITY_KIND else None
                reaches.append(_reach(role, path=a.place.path, home_path=a.place.path, community_id=whole_community))
            elif a.household_id:
                reaches.append(_reach(role, household_id=a.household_id, home_path=a.household.dwelling.path))
            elif a.organisation_id:
                reaches.append(_reach(role, organisation_id=a.organisation_id, home_path=a.organisation.place.path))
        scope = cls(reaches, user_id=user.pk)
        user._linli_scope = scope
        return scope

    # ---- questions ----------------------------------------------------------------------
    @property
    def roles(self) -> frozenset[Role]:
        return frozenset(r.role for r in self.reaches)

    @property
    def organisation_ids(self) -> frozenset[int]:
        return frozenset(r.organisation_id for r in self.reaches if r.organisation_id)

    def granting(self, capability: Capability) -> list[Reach]:
        return [r for r in self.reaches if capability in r.capabilities]

    def has(self, capability: Capability) -> bool:
        """True when the user holds the capability anywhere (menus)."""
        return any(capability in r.capabilities for r in self.reaches)

    def everywhere(self, capability: Capability) -> bool:
        return any(r.everything for r in self.granting(capability))

    def can(self, capability: Capability, obj) -> bool:
        """Whether a reach granting the capability covers this object (its registered locator)."""
        loc = locator_for(type(obj))
        path, grid_id, household_id = _follow(obj, loc.path), _follow(obj, loc.grid), _follow(obj, loc.household)
        return any(r.covers(path=path, grid_id=grid_id, household_id=household_id) for r in self.granting(capability))

    def q(self, model: type[Model], capability: Capability, *, prefix: str = "") -> Q:
        """The condition rows of ``model`` meet where the capability holds (never an empty Q, so
        it can be used in ``When``). ``prefix`` reaches the model through a relation."""
        reaches = self.granting(capability)
        if any(r.everything for r in reaches):
            return Q(pk__isnull=False)
        loc = locator_for(model)
        pre = f"{prefix}__" if prefix else ""
        q = Q(pk__in=[])
        for r in reaches:
            if r.community_id and loc.community:
                q |= Q(**{f"{pre}{loc.community}": r.community_id})
            elif r.path and loc.path:
                q |= Q(**{f"{pre}{loc.path}__startswith": r.path})
            if r.grid_ids and loc.grid:
                q |= Q(**{f"{pre}{loc.grid}__in": sorted(r.grid_ids)})
            if r.household_id and loc.household:
                q |= Q(**{f"{pre}{loc.household}": r.household_id})
        return q

    def filter(self, qs: QuerySet, capability: Capability) -> QuerySet:
        if self.everywhere(capability):
            return qs
        return qs.filter(self.q(qs.model, capability))

    def home_paths(self, capability: Capability) -> list[str]:
        """Where the user acts with this capability (for "which communities"); [] with none."""
        return sorted({r.home_path for r in self.granting(capability) if r.home_path})


def scope_for(user) -> Scope:
    return Scope.for_user(user)


def forget_scope(user) -> None:
    """After a role change the cached scope on this user object is stale."""
    user.__dict__.pop("_linli_scope", None)


def require(allowed: bool, message: str | None = None) -> None:
    """A domain predicate's answer as a refusal: services call ``access.require(...)``."""
    if not allowed:
        from django.core.exceptions import PermissionDenied
        from django.utils.translation import gettext as _

        raise PermissionDenied(message or _("您无权执行此操作。"))
