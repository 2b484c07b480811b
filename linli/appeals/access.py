"""Who may see an appeal and take each of its actions: the appeals' one home for permissions.

One predicate per action of the state machine (``models.TRANSITIONS``); services call
``require(...)``, pages and the API call ``allowed_actions`` / the same predicates to offer
buttons and choices, so a web form and an API call cannot disagree.

Who handles an appeal is decided here as well (``eligible_handlers``): ``appeal_dispatch``
refuses any handler outside it, whatever the caller offered.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from linli.accounts.models import STAFF_AND_ADMIN, Role, RoleAssignment
from linli.accounts.scope import Scope, register_capability, register_locator
from linli.appeals.models import OPEN_STATES, Appeal, Assignment, Channel, Status, Support
from linli.registry.models import Organisation, Place, PlaceKind
from linli.registry.vocabulary import ancestor_paths, compound_path, same_compound, staff_q

R = Role
_STAFF = STAFF_AND_ADMIN


def _cap(name, roles, label):
    return register_capability(name, roles=roles, label=label, domain="appeals")


VIEW_APPEALS = _cap(
    "view_appeals", {R.BUILDING_HEAD, R.GRID_WORKER, R.GRID_LEADER, *_STAFF, R.STREET_SUPERVISOR}, gettext_lazy("查看辖区诉求")
)
# Accept, reject, dispatch, merge, change level, extend, call back, reopen. The grid leader
# dispatches in the grid ("难事网格联办"); staff in the community.
DISPATCH_APPEALS = _cap("dispatch_appeals", {R.GRID_LEADER, *_STAFF}, gettext_lazy("受理和派单"))
SUPERVISE_APPEALS = _cap("supervise_appeals", {*_STAFF, R.STREET_SUPERVISOR}, gettext_lazy("督办"))
# 随手记 / 代报: record a report on a resident's behalf at a place in reach.
REPORT_FOR_OTHERS = _cap("report_for_others", {R.BUILDING_HEAD, R.GRID_WORKER, R.GRID_LEADER, *_STAFF}, gettext_lazy("代居民登记诉求"))
MANAGE_CATEGORIES = _cap("manage_appeal_categories", _STAFF, gettext_lazy("维护诉求分类"))

register_locator(Appeal, path="place__path", grid="grid_id", community="community_id")

# The channel each role records on someone's behalf with (phone and walk-in: the office).
RECORDING_CHANNELS = {
    R.COMMUNITY_STAFF: (Channel.PHONE, Channel.WALK_IN),
    R.PARTY_SECRETARY: (Channel.PHONE, Channel.WALK_IN),
    R.ADMIN: (Channel.PHONE, Channel.WALK_IN),
    R.GRID_LEADER: (Channel.GRID_WORKER, Channel.PHONE),
    R.GRID_WORKER: (Channel.GRID_WORKER,),
    R.BUILDING_HEAD: (Channel.BUILDING_HEAD,),
}
ON_BEHALF = frozenset({Channel.GRID_WORKER, Channel.BUILDING_HEAD, Channel.PHONE, Channel.WALK_IN})
REPORTABLE_KINDS = frozenset({PlaceKind.COMPOUND, PlaceKind.BUILDING, PlaceKind.UNIT, PlaceKind.DWELLING})


def require(allowed: bool, message: str | None = None) -> None:
    if not allowed:
        raise PermissionDenied(message or _("您无权对该诉求执行此操作。"))


# ---- what a user sees ---------------------------------------------------------------------------


def visible_appeals(scope: Scope, qs: QuerySet | None = None) -> QuerySet:
    """Appeals at places in reach, those assigned to the user or their organisation, those they
    reported and those they added their voice to."""
    qs = Appeal.objects.all() if qs is None else qs
    if scope.everywhere(VIEW_APPEALS):
        return qs
    q = scope.q(Appeal, VIEW_APPEALS)
    if scope.user_id is not None:
        # Three small indexed look-ups, not a join of every appeal with its assignments and supports.
        handled = Q(user_id=scope.user_id)
        if scope.organisation_ids:
            handled |= Q(organisation_id__in=sorted(scope.organisation_ids))
        q |= (
            Q(reporter_id=scope.user_id)
            | Q(pk__in=Assignment.objects.filter(handled).values("appeal_id"))
            | Q(pk__in=Support.objects.filter(user_id=scope.user_id).values("appeal_id"))
        )
    return qs.filter(q)


def appeal_rows(scope: Scope, qs: QuerySet) -> QuerySet:
    """Each row says whether this viewer sees it in full (reporter, handler, in reach) or only as
    a neighbour who added their voice does: the public fields."""
    from django.db.models import BooleanField, Case, Exists, OuterRef, Value, When

    full = scope.q(Appeal, VIEW_APPEALS)
    if scope.user_id is not None:
        handler = Q(user_id=scope.user_id)
        if scope.organisation_ids:
            handler |= Q(organisation_id__in=sorted(scope.organisation_ids))
        full |= Q(reporter_id=scope.user_id) | Q(Exists(Assignment.objects.filter(handler, appeal=OuterRef("pk"))))
    return qs.annotate(viewer_full=Case(When(full, then=Value(True)), default=Value(False), output_field=BooleanField()))


def sees_full(scope: Scope, appeal: Appeal) -> bool:
    return is_reporter(scope, appeal) or sees_internal(scope, appeal)


def dispatchable_appeals(scope: Scope) -> QuerySet:
    return scope.filter(Appeal.objects.all(), DISPATCH_APPEALS)


def is_handler(scope: Scope, appeal: Appeal, *, states=(Assignment.State.PENDING, Assignment.State.SIGNED), lead_only=False) -> bool:
    if scope.user_id is None:
        return False
    q = Q(user_id=scope.user_id)
    if scope.organisation_ids:
        q |= Q(organisation_id__in=sorted(scope.organisation_ids))
    qs = appeal.assignments.filter(q, state__in=states)
    if lead_only:
        qs = qs.filter(is_lead=True)
    return qs.exists()


def sees_internal(scope: Scope, appeal: Appeal) -> bool:
    """Handlers and those in reach see the internal timeline, the reporter's name and phone."""
    return scope.can(VIEW_APPEALS, appeal) or is_handler(
        scope, appeal, states=(Assignment.State.PENDING, Assignment.State.SIGNED, Assignment.State.RETURNED)
    )


def is_reporter(scope: Scope, appeal: Appeal) -> bool:
    return scope.user_id is not None and appeal.reporter_id == scope.user_id


def can_list(scope: Scope) -> bool:
    """The staff/handler list: people with appeals in reach, and handlers (their organisation)."""
    return scope.has(VIEW_APPEALS) or bool(scope.organisation_ids)


# ---- the actions --------------------------------------------------------------------------------


def _dispatcher(scope: Scope, appeal: Appeal) -> bool:
    return scope.can(DISPATCH_APPEALS, appeal)


def can_accept(scope, appeal):
    return _dispatcher(scope, appeal)


def can_reject(scope, appeal):
    return _dispatcher(scope, appeal)


def can_dispatch(scope, appeal):
    return _dispatcher(scope, appeal)


def can_set_level(scope, appeal):
    return _dispatcher(scope, appeal)


def can_merge(scope, appeal):
    return _dispatcher(scope, appeal)


def can_extend(scope, appeal):
    return _dispatcher(scope, appeal)


def can_callback(scope, appeal):
    return _dispatcher(scope, appeal)


def can_reopen(scope, appeal):
    return _dispatcher(scope, appeal)


def can_sign(scope, appeal):
    return is_handler(scope, appeal, states=(Assignment.State.PENDING,))


def can_return(scope, appeal):
    return is_handler(scope, appeal)


def can_escalate(scope, appeal):
    """Handlers, dispatchers, and those who record for residents here (building head, grid worker)."""
    return is_handler(scope, appeal) or _dispatcher(scope, appeal) or scope.can(REPORT_FOR_OTHERS, appeal)


def can_resolve(scope, appeal):
    return is_handler(scope, appeal, states=(Assignment.State.SIGNED,), lead_only=True) or _dispatcher(scope, appeal)


def can_rate(scope, appeal):
    """The reporter confirms and rates; staff record a rating from a call-back (回访)."""
    return is_reporter(scope, appeal) or _dispatcher(scope, appeal)


def can_supervise(scope, appeal):
    return scope.can(SUPERVISE_APPEALS, appeal)


PREDICATES = {
    "accept": can_accept,
    "reject": can_reject,
    "dispatch": can_dispatch,
    "sign": can_sign,
    "return": can_return,
    "escalate": can_escalate,
    "set_level": can_set_level,
    "resolve": can_resolve,
    "rate": can_rate,
    "reopen": can_reopen,
    "merge": can_merge,
    "extend": can_extend,
    "supervise": can_supervise,
    "callback": can_callback,
}


def can(scope: Scope, action: str, appeal: Appeal) -> bool:
    return PREDICATES[action](scope, appeal)


def allowed_actions(scope: Scope, appeal: Appeal) -> list[str]:
    """The actions this user may take now (right and state), in the order a page shows them.
    The reporter rates with their own form; staff record a rating heard on a call-back."""
    out = [a for a, fn in PREDICATES.items() if appeal.can(a) and fn(scope, appeal)]
    if is_reporter(scope, appeal) and "rate" in out:
        out.remove("rate")
    return out


# ---- reporting ----------------------------------------------------------------------------------


def recording_channels(scope: Scope, place: Place) -> list[tuple[str, str]]:
    """How this person records a report for someone else at this place (the first is the
    default); decided per place, so a role held elsewhere gives no channel here."""
    out: list[str] = []
    for reach in scope.granting(REPORT_FOR_OTHERS):
        if reach.covers(path=place.path, grid_id=place.grid_id):
            for channel in RECORDING_CHANNELS.get(reach.role, ()):
                if channel not in out:
                    out.append(channel)
    return [(c, Channel(c).label) for c in out]


def can_record_for_others(scope: Scope, place: Place, channel: str | None = None) -> bool:
    channels = dict(recording_channels(scope, place))
    return bool(channels) if channel is None else channel in channels


def reportable_places(scope: Scope) -> QuerySet:
    from linli.registry.access import places

    return places(scope, REPORT_FOR_OTHERS)


def _home_compound_path(user) -> str | None:
    resident = getattr(user, "resident", None) if getattr(user, "resident_id", None) else None
    if resident is None:
        return None
    return compound_path(resident.household.dwelling.path)


def can_see_neighbours_appeals(scope: Scope, user, place: Place) -> bool:
    """Open appeals at a building are shown before reporting to the neighbours who live in that
    compound and to those who handle appeals there — not to anyone who types a place id."""
    return same_compound(_home_compound_path(user), place.path) or scope.can(VIEW_APPEALS, place)


def can_support(scope: Scope, user, appeal: Appeal) -> bool:
    """附议: a neighbour in the same compound adds their voice (and so receives its notices)."""
    if not appeal.is_open or appeal.merged_into_id or appeal.reporter_id == getattr(user, "pk", None):
        return False
    home = _home_compound_path(user)
    return bool(home) and appeal.place.path.startswith(home)


def can_view_photo(scope: Scope, appeal: Appeal) -> bool:
    return visible_appeals(scope).filter(pk=appeal.pk).exists()


def can_print_qr(scope: Scope, place: Place) -> bool:
    return place.kind in (PlaceKind.COMPOUND, PlaceKind.BUILDING) and scope.can(DISPATCH_APPEALS, place)


def can_manage_categories(scope: Scope, community: Place) -> bool:
    return community.kind == PlaceKind.COMMUNITY and scope.can(MANAGE_CATEGORIES, community)


def can_raise_to_council(topic, appeal: Appeal) -> bool:
    """A council topic is the authority for the appeals raised to it (same community)."""
    return topic.council.community_id == appeal.community_id and topic.appeals.filter(pk=appeal.pk).exists()


def can_resolve_by_council(resolution, appeal: Appeal) -> bool:
    """The council's resolution is the authority: the appeal was raised to its topic."""
    return can_raise_to_council(resolution.topic, appeal)


def can_resolve_by_mediation(case, appeal: Appeal) -> bool:
    """The mediation case the appeal went into is the authority for its outcome."""
    return case.appeal_id == appeal.pk and case.community_id == appeal.community_id


def can_resolve_by_project(project, appeal: Appeal) -> bool:
    """An accepted project answers the appeals it was attached to (same community)."""
    return project.community_id == appeal.community_id and project.appeals.filter(pk=appeal.pk).exists()


# ---- the reporter's tracking link ----------------------------------------------------------------


def tracking_signature(appeal: Appeal) -> str:
    from linli.core import crypto

    return crypto.digest(f"track:{appeal.number}:{appeal.tracking_salt}")[:32]


def tracking_valid(appeal: Appeal, signature: str | None) -> bool:
    """The link sent to the reporter (SMS, receipt) stands for the reporter: no account needed."""
    import hmac

    if not signature or not appeal.tracking_salt:
        return False
    return hmac.compare_digest(tracking_signature(appeal), str(signature))


def can_add_info(scope: Scope, appeal: Appeal, signature: str | None = None) -> bool:
    return appeal.is_open and (is_reporter(scope, appeal) or tracking_valid(appeal, signature))


def has_support(user, appeal: Appeal) -> bool:
    return Support.objects.filter(appeal=appeal, user=user).exists()


# ---- handlers -----------------------------------------------------------------------------------


@dataclass
class Handlers:
    users: list  # [(user, role label)]
    organisations: list
    roles: dict = field(default_factory=dict)  # user id -> the roles that make them eligible

    def user_ids(self) -> set[int]:
        return {u.pk for u, _label in self.users}

    def organisation_ids(self) -> set[int]:
        return {o.pk for o in self.organisations}


HANDLER_ROLES = (R.GRID_WORKER, R.GRID_LEADER, R.BUILDING_HEAD, R.COMMUNITY_STAFF, R.PARTY_SECRETARY)


def eligible_handlers(appeal: Appeal) -> Handlers:
    """Who an appeal can be dispatched to: the grid workers and leader of its grid (and of the
    grid a micro-grid belongs to), the building head of its building, the community's staff;
    organisations of the community or above it (departments), merchants excepted."""
    place = appeal.place
    q = staff_q(appeal.community_id)
    q |= Q(role=R.BUILDING_HEAD, place__path__in=[*ancestor_paths(place.path), place.path])
    if appeal.grid_id:
        grid_ids = [appeal.grid_id]
        if appeal.grid and appeal.grid.parent_id:
            grid_ids.append(appeal.grid.parent_id)
        q |= Q(role__in=[R.GRID_WORKER, R.GRID_LEADER], grid_id__in=grid_ids)
    users: dict[int, tuple] = {}
    roles: dict[int, set] = {}
    for ra in RoleAssignment.objects.filter(q).select_related("user").order_by("role", "user__username"):
        users.setdefault(ra.user_id, (ra.user, ra.get_role_display()))
        roles.setdefault(ra.user_id, set()).add(ra.role)
    community_path = appeal.community.path
    orgs = (
        Organisation.objects.filter(Q(place__path__startswith=community_path) | Q(place__path__in=ancestor_paths(community_path)))
        .exclude(kind=Organisation.Kind.MERCHANT)
        .prefetch_related("served_compounds")
        .order_by("kind", "name")
    )
    return Handlers(users=list(users.values()), organisations=list(orgs), roles=roles)


def suggested_handlers(appeal: Appeal, eligible: Handlers) -> dict:
    """What the dispatch form pre-selects (the dispatcher may change it):
    the category's default handler; for a compound's upkeep (``routes_to_property``) the
    property company that serves the compound, or — for a 三无 compound, which has none — the
    community's own staff; otherwise the people of the appeal's level (building head, the
    grid's workers, the community's staff)."""
    from linli.registry.models import ManagementStatus

    users: set[int] = set()
    orgs: set[int] = set()
    category = appeal.category
    appeal_compound = compound_path(appeal.place.path)
    by_role = {role: {uid for uid, roles in eligible.roles.items() if role in roles} for role in HANDLER_ROLES}
    community_staff = by_role[R.COMMUNITY_STAFF] | by_role[R.PARTY_SECRETARY]
    if category is not None and category.default_handler_id in eligible.organisation_ids():
        orgs.add(category.default_handler_id)
    elif category is not None and category.routes_to_property:
        serving = [
            o
            for o in eligible.organisations
            if o.kind == Organisation.Kind.PROPERTY_COMPANY and any(c.path == appeal_compound for c in o.served_compounds.all())
        ]
        compound = Place.objects.filter(path=appeal_compound).only("management_status").first()
        if serving:
            orgs.add(serving[0].pk)
        elif compound is not None and compound.management_status == ManagementStatus.THREE_WITHOUT:
            users |= community_staff
    if not users and not orgs:
        users |= {"building": by_role[R.BUILDING_HEAD], "grid": by_role[R.GRID_WORKER], "community": community_staff}.get(
            appeal.level, set()
        )
    lead_org = min(orgs) if orgs else None
    lead_user = min(users) if users and lead_org is None else None
    return {"users": users, "organisations": orgs, "lead_user": lead_user, "lead_organisation": lead_org}


def require_handlers(appeal: Appeal, users, organisations) -> None:
    """Every handler offered must be eligible for this appeal (web form, API and services alike)."""
    from django.core.exceptions import ValidationError

    eligible = eligible_handlers(appeal)
    bad_users = {u.pk for u in users} - eligible.user_ids()
    bad_orgs = {o.pk for o in organisations} - eligible.organisation_ids()
    if bad_users or bad_orgs:
        raise ValidationError({"handlers": _("承办人或承办单位不在该诉求的可派范围内。")})


def open_statuses() -> frozenset[str]:
    return OPEN_STATES - {Status.MERGED}
