"""Who may see and work a mediation case: the mediation's one home for permissions.

Confidential by rule: a case is seen only by
* its mediators (assigned from the community's roster),
* the community's party secretary (社区书记), and
* community staff who are on the community's mediators' roster (the mediation capability).
Nobody else — not the administrator, not the street, not the grid workers who are not its
mediators — sees a case; each sees the same 404 as for a case that does not exist. The street
supervisor, the secretary and the roster's staff see counts by type and outcome, no names.
"""

from __future__ import annotations

from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy

from linli.accounts.models import Role
from linli.accounts.scope import Scope, register_capability, require  # noqa: F401 (access.require)
from linli.mediation.models import Case, CaseStatus, Mediator
from linli.registry.access import acts_in_community, community_ids
from linli.registry.models import Place, PlaceKind

OVERSEE_MEDIATION = register_capability(
    "oversee_mediation", roles={Role.PARTY_SECRETARY}, label=gettext_lazy("查看和指派本社区全部调解案件"), domain="mediation"
)
# Community staff hold it only when they are on the community's mediators' roster (below).
STAFF_MEDIATION = register_capability(
    "roster_staff_mediation", roles={Role.COMMUNITY_STAFF}, label=gettext_lazy("调解员名册上的社区工作者"), domain="mediation"
)
MEDIATION_FIGURES = register_capability(
    "view_mediation_figures",
    roles={Role.PARTY_SECRETARY, Role.STREET_SUPERVISOR},
    label=gettext_lazy("查看调解统计（仅数字）"),
    domain="mediation",
)


def roster_communities(user) -> set[int]:
    """The communities whose roster this person is on (active), once per request."""
    if not getattr(user, "is_authenticated", False):
        return set()
    cached = getattr(user, "_linli_mediation_roster", None)
    if cached is None:
        cached = set(Mediator.objects.filter(user_id=user.pk, active=True).values_list("community_id", flat=True))
        user._linli_mediation_roster = cached
    return cached


def overseen_communities(scope: Scope, user) -> set[int]:
    """Where this person sees every case: as the secretary, or as staff on the roster."""
    ids = community_ids(scope, OVERSEE_MEDIATION) if scope.has(OVERSEE_MEDIATION) else set()
    roster = roster_communities(user)
    if roster and scope.has(STAFF_MEDIATION):
        ids |= roster & community_ids(scope, STAFF_MEDIATION)
    return ids


def oversees(scope: Scope, user, community: Place) -> bool:
    return community.pk in overseen_communities(scope, user)


def is_mediator_of(user, case: Case) -> bool:
    return bool(getattr(user, "pk", None)) and case.assignments.filter(mediator__user_id=user.pk, mediator__active=True).exists()


def can_view_case(scope: Scope, user, case: Case) -> bool:
    return oversees(scope, user, case.community) or is_mediator_of(user, case)


def visible_cases(scope: Scope, user) -> QuerySet:
    if not getattr(user, "is_authenticated", False):
        return Case.objects.none()
    q = Q(community_id__in=overseen_communities(scope, user)) | Q(
        pk__in=Case.objects.filter(assignments__mediator__user_id=user.pk, assignments__mediator__active=True).values("pk")
    )
    return Case.objects.filter(q)


def can_open(scope: Scope, user, community: Place) -> bool:
    """The secretary, and anyone on the community's roster (a grid worker who mediates opens
    the case and leads it)."""
    return oversees(scope, user, community) or community.pk in roster_communities(user)


def can_work(scope: Scope, user, case: Case) -> bool:
    return not case.is_closed and can_view_case(scope, user, case)


def can_assign(scope: Scope, user, case: Case) -> bool:
    return not case.is_closed and oversees(scope, user, case.community)


def can_follow_up(scope: Scope, user, case: Case) -> bool:
    return case.status == CaseStatus.AGREED and can_view_case(scope, user, case)


def can_manage_roster(scope: Scope, community: Place) -> bool:
    return acts_in_community(scope, OVERSEE_MEDIATION, community)


def can_view_figures(scope: Scope, user, place: Place) -> bool:
    """Counts only: a community's for its secretary and roster staff, a community's or a
    street's for the street supervisor above it."""
    if place.kind == PlaceKind.COMMUNITY and oversees(scope, user, place):
        return True
    return place.kind in (PlaceKind.COMMUNITY, PlaceKind.STREET) and any(
        r.role == Role.STREET_SUPERVISOR and r.path and place.path.startswith(r.path) for r in scope.granting(MEDIATION_FIGURES)
    )


def figure_places(scope: Scope, user) -> QuerySet:
    ids = overseen_communities(scope, user)
    q = Q(pk__in=ids)
    for r in scope.granting(MEDIATION_FIGURES):
        if r.role == Role.STREET_SUPERVISOR and r.path:
            q |= Q(path__startswith=r.path, kind__in=(PlaceKind.STREET, PlaceKind.COMMUNITY))
    return Place.objects.filter(q).order_by("path")


def case_actions(scope: Scope, user, case: Case) -> dict[str, bool]:
    return {
        "work": can_work(scope, user, case),
        "assign": can_assign(scope, user, case),
        "follow_up": can_follow_up(scope, user, case),
    }
