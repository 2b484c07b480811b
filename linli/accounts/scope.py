"""The scope rule: what a user may see and do, and where.

This is the only module that decides it. Every page, list, search, export and API call
asks a ``Scope`` for its querysets (``scope.residents(...)``) and for object checks
(``scope.can(...)``); nothing else filters by role.

A user holds roles, each anchored somewhere (``RoleAssignment``). Each assignment becomes
a ``Reach``: a place subtree (community staff: their community; street supervisor: their
street; building head: their building), a set of grids (grid worker/leader: their grid and
its micro-grids), an organisation, or one household (a resident). A capability is granted
where at least one reach whose role has that capability covers the object.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from django.db.models import Q, QuerySet

from linli.accounts.models import Role, RoleAssignment


class Capability(StrEnum):
    VIEW_REGISTRY = "view_registry"  # see places, grids, households and residents (masked)
    EDIT_REGISTRY = "edit_registry"  # change households and residents
    MANAGE_PLACES = "manage_places"  # change the place tree, grids, facilities, organisations
    VIEW_CARE = "view_care"  # see sensitive care tags (disability, low income, …)
    REVEAL_PHONE = "reveal_phone"  # see a phone number in full (audited)
    REVEAL_ID = "reveal_id"  # see an ID number in full (audited)
    IMPORT = "import_registry"
    EXPORT = "export_registry"
    VIEW_OWN = "view_own"  # a resident sees their own household
    VIEW_APPEALS = "view_appeals"  # see appeals at places in reach
    DISPATCH_APPEALS = "dispatch_appeals"  # accept, reject, dispatch, merge, change level, extend, call back
    SUPERVISE_APPEALS = "supervise_appeals"  # 督办 overdue appeals
    REPORT_FOR_OTHERS = "report_for_others"  # 随手记 / 代报 on a resident's behalf


C = Capability
_STAFF = {
    C.VIEW_REGISTRY,
    C.EDIT_REGISTRY,
    C.MANAGE_PLACES,
    C.VIEW_CARE,
    C.REVEAL_PHONE,
    C.REVEAL_ID,
    C.IMPORT,
    C.EXPORT,
    C.VIEW_APPEALS,
    C.DISPATCH_APPEALS,
    C.SUPERVISE_APPEALS,
    C.REPORT_FOR_OTHERS,
}
_GRID = {C.VIEW_REGISTRY, C.EDIT_REGISTRY, C.VIEW_CARE, C.REVEAL_PHONE, C.VIEW_APPEALS, C.REPORT_FOR_OTHERS}
ROLE_CAPABILITIES: dict[Role, frozenset[Capability]] = {
    Role.RESIDENT: frozenset({C.VIEW_OWN}),
    # Building heads know their neighbours by name; they see no care status and no full numbers.
    Role.BUILDING_HEAD: frozenset({C.VIEW_REGISTRY, C.VIEW_APPEALS, C.REPORT_FOR_OTHERS}),
    # Grid workers visit homes and phone residents: full phone, but ID numbers stay masked.
    Role.GRID_WORKER: frozenset(_GRID),
    # The grid leader runs the grid: exports its ledger and dispatches its appeals.
    Role.GRID_LEADER: frozenset(_GRID | {C.EXPORT, C.DISPATCH_APPEALS}),
    Role.COMMUNITY_STAFF: frozenset(_STAFF),
    Role.PARTY_SECRETARY: frozenset(_STAFF),
    # The street oversees many communities: read-only, masked, and it supervises (督办).
    Role.STREET_SUPERVISOR: frozenset({C.VIEW_REGISTRY, C.VIEW_CARE, C.VIEW_APPEALS, C.SUPERVISE_APPEALS}),
    # Property and partner staff work on appeals and wishes, not on the population registry.
    Role.PROPERTY_STAFF: frozenset(),
    Role.PARTNER_STAFF: frozenset(),
    Role.ADMIN: frozenset(_STAFF),
}


@dataclass(frozen=True)
class Reach:
    role: Role
    everything: bool = False
    path: str | None = None  # place subtree (treebeard materialised path)
    grid_ids: frozenset[int] = frozenset()
    household_id: int | None = None
    organisation_id: int | None = None

    @property
    def capabilities(self) -> frozenset[Capability]:
        return ROLE_CAPABILITIES[self.role]

    def covers(self, *, path: str | None, grid_id: int | None, household_id: int | None = None) -> bool:
        if self.everything:
            return True
        if self.path and path and path.startswith(self.path):
            return True
        if self.grid_ids and grid_id in self.grid_ids:
            return True
        return bool(self.household_id and household_id == self.household_id)


class Scope:
    def __init__(self, reaches: list[Reach], user_id: int | None = None):
        self.reaches = reaches
        self.user_id = user_id

    @property
    def organisation_ids(self) -> frozenset[int]:
        return frozenset(r.organisation_id for r in self.reaches if r.organisation_id)

    # ---- construction -------------------------------------------------------------
    @classmethod
    def for_user(cls, user) -> Scope:
        if not getattr(user, "is_authenticated", False):
            return cls([])
        cached = getattr(user, "_linli_scope", None)
        if cached is not None:
            return cached
        from linli.registry.models import Grid

        reaches: list[Reach] = []
        if user.is_superuser:
            reaches.append(Reach(role=Role.ADMIN, everything=True))
        assignments = list(
            RoleAssignment.objects.filter(user=user)
            .select_related("place")
            .only("role", "place__path", "grid_id", "household_id", "organisation_id")
        )
        grid_ids = {a.grid_id for a in assignments if a.grid_id}
        children: dict[int, set[int]] = {}
        if grid_ids:
            for child_id, parent_id in Grid.objects.filter(parent_id__in=grid_ids).values_list("id", "parent_id"):
                children.setdefault(parent_id, set()).add(child_id)
        for a in assignments:
            role = Role(a.role)
            if role == Role.ADMIN:
                reaches.append(Reach(role=role, everything=True))
            elif a.grid_id:
                reaches.append(Reach(role=role, grid_ids=frozenset({a.grid_id} | children.get(a.grid_id, set()))))
            elif a.place_id:
                reaches.append(Reach(role=role, path=a.place.path))
            elif a.household_id:
                reaches.append(Reach(role=role, household_id=a.household_id))
            elif a.organisation_id:
                reaches.append(Reach(role=role, organisation_id=a.organisation_id))
        scope = cls(reaches, user_id=user.pk)
        user._linli_scope = scope
        return scope

    # ---- questions ----------------------------------------------------------------
    @property
    def roles(self) -> frozenset[Role]:
        return frozenset(r.role for r in self.reaches)

    def has(self, capability: Capability) -> bool:
        """True when the user has the capability anywhere (menus, buttons)."""
        return any(capability in r.capabilities for r in self.reaches)

    def _granting(self, capability: Capability) -> list[Reach]:
        return [r for r in self.reaches if capability in r.capabilities]

    def can(self, capability: Capability, obj) -> bool:
        """Object-level check for any registry object."""
        path, grid_id, household_id = _locate(obj)
        return any(r.covers(path=path, grid_id=grid_id, household_id=household_id) for r in self._granting(capability))

    def _filter(
        self, qs: QuerySet, capability: Capability, *, path: str | None, grid: str | None, household: str | None = None
    ) -> QuerySet:
        reaches = self._granting(capability)
        if any(r.everything for r in reaches):
            return qs
        q = Q(pk__in=[])
        for r in reaches:
            if r.path and path:
                q |= Q(**{f"{path}__startswith": r.path})
            if r.grid_ids and grid:
                q |= Q(**{f"{grid}__in": sorted(r.grid_ids)})
            if r.household_id and household:
                q |= Q(**{household: r.household_id})
        return qs.filter(q)

    # ---- querysets ----------------------------------------------------------------
    def places(self, qs: QuerySet | None = None, capability: Capability = C.VIEW_REGISTRY) -> QuerySet:
        """Places in reach, plus the ancestors that lead to them (so the tree can be walked down)."""
        from linli.registry.models import Place

        qs = Place.objects.all() if qs is None else qs
        reaches = self._granting(capability)
        if any(r.everything for r in reaches):
            return qs
        q = Q(pk__in=[])
        ancestors: set[str] = set()
        grid_ids: set[int] = set()
        for r in reaches:
            if r.path:
                q |= Q(path__startswith=r.path)
                ancestors.update(_ancestor_paths(r.path))
            grid_ids |= r.grid_ids
        if grid_ids:
            q |= Q(grid_id__in=sorted(grid_ids))
            # Compounds and the levels above a grid's buildings.
            paths = Place.objects.filter(grid_id__in=grid_ids, kind="building").values_list("path", flat=True)
            for p in paths:
                ancestors.update(_ancestor_paths(p))
        if ancestors:
            q |= Q(path__in=sorted(ancestors))
        return qs.filter(q)

    def grids(self, qs: QuerySet | None = None, capability: Capability = C.VIEW_REGISTRY) -> QuerySet:
        from linli.registry.models import Grid

        qs = Grid.objects.all() if qs is None else qs
        return self._filter(qs, capability, path="community__path", grid="id")

    def households(self, qs: QuerySet | None = None, capability: Capability = C.VIEW_REGISTRY) -> QuerySet:
        from linli.registry.models import Household

        qs = Household.objects.all() if qs is None else qs
        return self._filter(qs, capability, path="dwelling__path", grid="dwelling__grid_id", household="id")

    def residents(self, qs: QuerySet | None = None, capability: Capability = C.VIEW_REGISTRY) -> QuerySet:
        from linli.registry.models import Resident

        qs = Resident.objects.all() if qs is None else qs
        return self._filter(qs, capability, path="household__dwelling__path", grid="household__dwelling__grid_id", household="household_id")

    def facilities(self, qs: QuerySet | None = None, capability: Capability = C.VIEW_REGISTRY) -> QuerySet:
        from linli.registry.models import Facility

        qs = Facility.objects.all() if qs is None else qs
        return self._filter(qs, capability, path="place__path", grid="place__grid_id")

    def organisations(self, qs: QuerySet | None = None, capability: Capability = C.VIEW_REGISTRY) -> QuerySet:
        """Organisations of places in reach, and those attached above it (a district department serves its communities)."""
        from linli.registry.models import Organisation, Place

        qs = Organisation.objects.all() if qs is None else qs
        reaches = self._granting(capability)
        if any(r.everything for r in reaches):
            return qs
        q = Q(pk__in=[])
        grid_ids: set[int] = set()
        for r in reaches:
            if r.path:
                q |= Q(place__path__startswith=r.path) | Q(place__path__in=_ancestor_paths(r.path))
            grid_ids |= r.grid_ids
        if grid_ids:
            communities = Place.objects.filter(grids__id__in=grid_ids).values_list("path", flat=True)
            for p in communities:
                q |= Q(place__path__startswith=p) | Q(place__path__in=_ancestor_paths(p))
        return qs.filter(q).distinct()

    def party_organisations(self, qs: QuerySet | None = None, capability: Capability = C.VIEW_REGISTRY) -> QuerySet:
        from linli.registry.models import PartyOrganisation

        qs = PartyOrganisation.objects.all() if qs is None else qs
        return self._filter(qs, capability, path="community__path", grid="grid_id")

    def appeals(self, qs: QuerySet | None = None, capability: Capability = C.VIEW_APPEALS) -> QuerySet:
        """Appeals at places in reach, plus those assigned to the user or their organisation,
        plus those the user reported (a resident follows their own)."""
        from linli.appeals.models import Appeal

        qs = Appeal.objects.all() if qs is None else qs
        in_reach = self._filter(qs, capability, path="place__path", grid="grid_id")
        if capability != C.VIEW_APPEALS or self.user_id is None:
            return in_reach
        mine = Q(reporter_id=self.user_id) | Q(assignments__user_id=self.user_id)
        if self.organisation_ids:
            mine |= Q(assignments__organisation_id__in=sorted(self.organisation_ids))
        ids = qs.filter(mine).values("id")
        return qs.filter(Q(pk__in=in_reach.values("id")) | Q(pk__in=ids))

    def communities(self, capability: Capability = C.VIEW_REGISTRY) -> QuerySet:
        """Communities the user acts in (where an import lands, what a staff page shows)."""
        from linli.registry.models import Place

        reaches = self._granting(capability)
        qs = Place.objects.filter(kind="community")
        if any(r.everything for r in reaches):
            return qs
        q = Q(pk__in=[])
        grid_ids: set[int] = set()
        for r in reaches:
            if r.path:
                q |= Q(path__startswith=r.path) | Q(path__in=_ancestor_paths(r.path))
            grid_ids |= r.grid_ids
        if grid_ids:
            q |= Q(grids__id__in=sorted(grid_ids))
        return qs.filter(q).distinct()


def _ancestor_paths(path: str) -> list[str]:
    from linli.registry.models import Place

    step = Place.steplen
    return [path[:i] for i in range(step, len(path), step)]


def _locate(obj) -> tuple[str | None, int | None, int | None]:
    """(place path, grid id, household id) of a registry object, for object checks."""
    from linli.registry.models import Facility, Grid, Household, Organisation, PartyOrganisation, Place, Resident

    if isinstance(obj, Place):
        return obj.path, obj.grid_id, None
    if isinstance(obj, Resident):
        dwelling = obj.household.dwelling
        return dwelling.path, dwelling.grid_id, obj.household_id
    if isinstance(obj, Household):
        return obj.dwelling.path, obj.dwelling.grid_id, obj.pk
    if isinstance(obj, Grid):
        return obj.community.path, obj.pk, None
    if isinstance(obj, Facility):
        return obj.place.path, obj.place.grid_id, None
    if isinstance(obj, Organisation):
        return obj.place.path, None, None
    if isinstance(obj, PartyOrganisation):
        return obj.community.path, obj.grid_id, None
    from linli.appeals.models import Appeal

    if isinstance(obj, Appeal):
        return obj.place.path, obj.grid_id, None
    raise TypeError(f"No scope rule for {type(obj).__name__}")


def scope_for(user) -> Scope:
    return Scope.for_user(user)
