"""Who may see and change the registry, and where: the registry's one home for permissions.

Capabilities are held by roles (below); a capability holds on an object where a reach of a
role that has it covers the object (``linli.accounts.scope``). Pages, API, services, exports
and templates ask the predicates and querysets here, so they cannot disagree.

Per row: a user with two roles (grid worker of one grid, building head of a building in
another) sees sensitive care tags only on the rows where a role that may see them reaches;
``resident_rows`` annotates each row with ``may_see_care`` instead of deciding per page.
"""

from __future__ import annotations

from django.db.models import BooleanField, Case, Q, QuerySet, Value, When
from django.utils.translation import gettext_lazy as _

from linli.accounts.models import GRID_ROLES, STAFF_AND_ADMIN, Role
from linli.accounts.scope import Scope, register_capability, register_grid_children, register_locator
from linli.registry.models import Facility, Grid, Household, Organisation, PartyOrganisation, Place, PlaceKind, Resident
from linli.registry.vocabulary import ancestor_paths, community_or_above, grid_children

R = Role
_STAFF = STAFF_AND_ADMIN
_GRID = GRID_ROLES


def _cap(name, roles, label):
    return register_capability(name, roles=roles, label=label, domain="registry")


# Building heads know their neighbours by name: they see no care status and no full numbers.
VIEW_REGISTRY = _cap("view_registry", {R.BUILDING_HEAD, *_GRID, *_STAFF, R.STREET_SUPERVISOR}, _("查看台账（脱敏）"))
EDIT_REGISTRY = _cap("edit_registry", {*_GRID, *_STAFF}, _("修改家庭户和居民"))
MANAGE_PLACES = _cap("manage_places", _STAFF, _("维护地点、网格、设施和组织"))
VIEW_CARE = _cap("view_care", {*_GRID, *_STAFF, R.STREET_SUPERVISOR}, _("查看敏感关怀标签"))
# Grid workers visit homes and phone residents: full phone, but ID numbers stay masked.
REVEAL_PHONE = _cap("reveal_phone", {*_GRID, *_STAFF}, _("查看完整手机号（留痕）"))
REVEAL_ID = _cap("reveal_id", _STAFF, _("查看完整身份证号（留痕）"))
IMPORT = _cap("import_registry", _STAFF, _("导入台账"))
# The grid leader runs the grid: exports its ledger.
EXPORT = _cap("export_registry", {R.GRID_LEADER, *_STAFF}, _("导出台账"))
VIEW_OWN = _cap("view_own", {R.RESIDENT}, _("查看本户信息"))

register_locator(Place, path="path", grid="grid_id")
register_locator(Grid, path="community__path", grid="id")
register_locator(Household, path="dwelling__path", grid="dwelling__grid_id", household="id")
register_locator(Resident, path="household__dwelling__path", grid="household__dwelling__grid_id", household="household_id")
register_locator(Facility, path="place__path", grid="place__grid_id")
register_locator(Organisation, path="place__path")
register_locator(PartyOrganisation, path="community__path", grid="grid_id")


register_grid_children(grid_children)


# ---- querysets --------------------------------------------------------------------------------


def places(scope: Scope, capability=VIEW_REGISTRY, qs: QuerySet | None = None) -> QuerySet:
    """Places in reach, plus the ancestors that lead to them (so the tree can be walked down)."""
    qs = Place.objects.all() if qs is None else qs
    if scope.everywhere(capability):
        return qs
    q = Q(pk__in=[])
    ancestors: set[str] = set()
    grid_ids: set[int] = set()
    for r in scope.granting(capability):
        if r.path:
            q |= Q(path__startswith=r.path)
            ancestors.update(ancestor_paths(r.path))
        grid_ids |= r.grid_ids
    if grid_ids:
        q |= Q(grid_id__in=sorted(grid_ids))
        # Compounds and the levels above a grid's buildings.
        for p in Place.objects.filter(grid_id__in=grid_ids, kind=PlaceKind.BUILDING).values_list("path", flat=True):
            ancestors.update(ancestor_paths(p))
    if ancestors:
        q |= Q(path__in=sorted(ancestors))
    return qs.filter(q)


def grids(scope: Scope, capability=VIEW_REGISTRY, qs: QuerySet | None = None) -> QuerySet:
    return scope.filter(Grid.objects.all() if qs is None else qs, capability)


def households(scope: Scope, capability=VIEW_REGISTRY, qs: QuerySet | None = None) -> QuerySet:
    return scope.filter(Household.objects.all() if qs is None else qs, capability)


def residents(scope: Scope, capability=VIEW_REGISTRY, qs: QuerySet | None = None) -> QuerySet:
    return scope.filter(Resident.objects.all() if qs is None else qs, capability)


def facilities(scope: Scope, capability=VIEW_REGISTRY, qs: QuerySet | None = None) -> QuerySet:
    return scope.filter(Facility.objects.all() if qs is None else qs, capability)


def party_organisations(scope: Scope, capability=VIEW_REGISTRY, qs: QuerySet | None = None) -> QuerySet:
    return scope.filter(PartyOrganisation.objects.all() if qs is None else qs, capability)


def organisations(scope: Scope, capability=VIEW_REGISTRY, qs: QuerySet | None = None) -> QuerySet:
    """Organisations of the communities in reach, and those attached above them (a district
    department serves its communities)."""
    qs = Organisation.objects.all() if qs is None else qs
    if scope.everywhere(capability):
        return qs
    q = Q(pk__in=[])
    for home in scope.home_paths(capability):
        community = community_or_above(home)
        q |= Q(place__path__startswith=community) | Q(place__path__in=ancestor_paths(community))
    return qs.filter(q)


def communities(scope: Scope, capability) -> QuerySet:
    """Communities the user acts in with this capability: those inside a reach, and the one
    containing a grid, building, household or organisation."""
    qs = Place.objects.filter(kind=PlaceKind.COMMUNITY)
    if scope.everywhere(capability):
        return qs
    q = Q(pk__in=[])
    for home in scope.home_paths(capability):
        q |= Q(path__startswith=home) | Q(path__in=ancestor_paths(home))
    return qs.filter(q)


def community_ids(scope: Scope, capability) -> set[int]:
    return set(communities(scope, capability).values_list("pk", flat=True))


def acts_in_community(scope: Scope, capability, community: Place) -> bool:
    """In-memory: does a reach granting the capability sit in or above this community?"""
    if scope.everywhere(capability):
        return True
    return any(home.startswith(community.path) or community.path.startswith(home) for home in scope.home_paths(capability))


def resident_rows(scope: Scope, qs: QuerySet) -> QuerySet:
    """Each row decides for itself whether its sensitive care tags may be shown (one's own
    household included)."""
    rule = scope.q(Resident, VIEW_CARE) | scope.q(Resident, VIEW_OWN)
    return qs.annotate(may_see_care=Case(When(rule, then=Value(True)), default=Value(False), output_field=BooleanField()))


# ---- predicates ---------------------------------------------------------------------------------


def can_view_registry(scope: Scope) -> bool:
    return scope.has(VIEW_REGISTRY)


def can_view_resident(scope: Scope, resident: Resident) -> bool:
    return scope.can(VIEW_REGISTRY, resident) or scope.can(VIEW_OWN, resident)


def can_view_household(scope: Scope, household: Household) -> bool:
    return scope.can(VIEW_REGISTRY, household) or scope.can(VIEW_OWN, household)


def can_edit(scope: Scope, obj) -> bool:
    """Households and residents (and creating them in a dwelling)."""
    return scope.can(EDIT_REGISTRY, obj)


def can_see_care(scope: Scope, obj) -> bool:
    """Sensitive care tags of this resident or household (one's own household included)."""
    return scope.can(VIEW_CARE, obj) or scope.can(VIEW_OWN, obj)


REVEAL = {"id_number": REVEAL_ID, "phone": REVEAL_PHONE}


def can_reveal(scope: Scope, resident: Resident, field: str) -> bool:
    capability = REVEAL.get(field)
    return capability is not None and scope.can(capability, resident)


def can_manage_places(scope: Scope, place: Place) -> bool:
    return scope.can(MANAGE_PLACES, place)


def can_import(scope: Scope, community: Place) -> bool:
    return community.kind == PlaceKind.COMMUNITY and scope.can(IMPORT, community)


def can_export(scope: Scope, grid: Grid | None = None) -> bool:
    return scope.can(EXPORT, grid) if grid is not None else scope.has(EXPORT)


def export_rows(scope: Scope) -> QuerySet:
    return residents(scope, EXPORT)


def can_assign_role(scope: Scope, anchor: Place | None, role: Role) -> bool:
    """Staff give roles inside their community; street and admin roles only the administrator."""
    if scope.everywhere(MANAGE_PLACES):
        return True
    if anchor is None or role in (Role.ADMIN, Role.STREET_SUPERVISOR):
        return False
    return scope.can(MANAGE_PLACES, anchor)
