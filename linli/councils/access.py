"""Who may see a council and take each of its steps: the councils' one home for permissions.

* **Managers** run a council: the community's staff (``MANAGE_COUNCILS`` over the community)
  and the council's convener (a member with the convener role, who may be a resident).
* **Participants** propose, comment and support: residents of the council's area (its
  compound, or the whole community), its members, and people who work in the community.
* **Viewers** see it: participants, managers, and supervisors above the community (street).
* **Voters** are decided per vote (``voter_key_for``): members signed in at the meeting, or
  owners of the compound's dwellings.

Which action each step of a procedure allows is ``STEP_ACTIONS``; a council may only declare
steps that exist (``validate_steps``).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from linli.accounts.models import STAFF_AND_ADMIN, Role
from linli.accounts.scope import Scope, register_capability, register_locator
from linli.councils.models import DEFAULT_STEPS, STEP_LABELS, Council, Member, Topic, Vote
from linli.registry.access import acts_in_community, community_ids
from linli.registry.models import Place
from linli.registry.vocabulary import compound_path

R = Role
_STAFF = STAFF_AND_ADMIN
_WORKERS = {R.BUILDING_HEAD, R.GRID_WORKER, R.GRID_LEADER}


def _cap(name, roles, label):
    return register_capability(name, roles=roles, label=label, domain="councils")


MANAGE_COUNCILS = _cap("manage_councils", _STAFF, gettext_lazy("设立和主持议事会"))
# People who work in the community take part (propose, comment, support).
TAKE_PART = _cap("take_part_in_councils", {*_WORKERS, *_STAFF, R.PROPERTY_STAFF, R.PARTNER_STAFF}, gettext_lazy("参与议事"))
# The street follows its communities' councils without taking part.
VIEW_COUNCILS = _cap("view_councils", {*_WORKERS, *_STAFF, R.STREET_SUPERVISOR}, gettext_lazy("查看议事"))

register_locator(Council, path="community__path")
register_locator(Topic, path="council__community__path")

# What each step of a procedure allows. Steps a council declares must be among these.
STEP_ACTIONS: dict[str, frozenset[str]] = {
    "collect": frozenset({"support", "option"}),
    "accept": frozenset({"support", "option"}),
    "comment": frozenset({"support", "comment", "option"}),
    "deliberate": frozenset({"comment", "option"}),
    "decide": frozenset({"option", "vote_open", "resolution"}),
    "implement": frozenset(),
}
assert set(STEP_ACTIONS) == set(STEP_LABELS) == set(DEFAULT_STEPS)


def validate_steps(steps: list[str] | None) -> None:
    """A procedure starts by collecting topics, decides by a vote, names each step once, and
    uses only known steps; implementation, if declared, comes last."""
    if not steps:
        return
    unknown = [s for s in steps if s not in STEP_ACTIONS]
    if unknown:
        raise ValidationError({"steps": _("未知的议事步骤：%(s)s。") % {"s": "、".join(map(str, unknown))}})
    if steps[0] != "collect" or len(set(steps)) != len(steps) or "decide" not in steps:
        raise ValidationError({"steps": _("议事程序须以收集议题开始、包含表决决定，且步骤不重复。")})
    if "implement" in steps and steps[-1] != "implement":
        raise ValidationError({"steps": _("实施并公示结果须为最后一步。")})


def step_allows(topic: Topic, action: str) -> bool:
    return topic.status == Topic.Status.OPEN and action in STEP_ACTIONS.get(topic.step, frozenset())


# ---- who is who -----------------------------------------------------------------------------------


@dataclass
class Rights:
    """One user's standing towards councils, computed once per request (three small queries)."""

    user_id: int | None
    resident_path: str | None
    resident_community_id: int | None
    member_of: dict[int, str]  # council id -> member role
    manage_ids: set[int]  # communities managed
    part_ids: set[int]  # communities worked in
    view_ids: set[int]  # communities followed


def rights(scope: Scope, user) -> Rights:
    cached = getattr(user, "_linli_council_rights", None)
    if cached is not None:
        return cached
    resident = user.resident if getattr(user, "resident_id", None) else None
    dwelling = resident.household.dwelling if resident else None
    members = dict(Member.objects.filter(user_id=user.pk).values_list("council_id", "role")) if user.pk else {}
    r = Rights(
        user_id=user.pk,
        resident_path=dwelling.path if dwelling else None,
        resident_community_id=dwelling.community_id if dwelling else None,
        member_of=members,
        manage_ids=community_ids(scope, MANAGE_COUNCILS) if scope.has(MANAGE_COUNCILS) else set(),
        part_ids=community_ids(scope, TAKE_PART) if scope.has(TAKE_PART) else set(),
        view_ids=community_ids(scope, VIEW_COUNCILS) if scope.has(VIEW_COUNCILS) else set(),
    )
    if user.pk:
        user._linli_council_rights = r
    return r


def _lives_in_area(r: Rights, council: Council) -> bool:
    if not r.resident_path:
        return False
    if council.compound_id:
        return r.resident_path.startswith(council.compound.path)
    return r.resident_community_id == council.community_id


def is_manager(scope: Scope, user, council: Council) -> bool:
    r = rights(scope, user)
    return council.community_id in r.manage_ids or r.member_of.get(council.pk) == Member.Role.CONVENER


def is_participant(scope: Scope, user, council: Council) -> bool:
    r = rights(scope, user)
    return _lives_in_area(r, council) or council.pk in r.member_of or council.community_id in r.part_ids


def can_view(scope: Scope, user, council: Council) -> bool:
    r = rights(scope, user)
    return is_participant(scope, user, council) or is_manager(scope, user, council) or council.community_id in r.view_ids


def visible_councils(scope: Scope, user) -> QuerySet:
    """Councils this user may see, as one query (not one check per council)."""
    r = rights(scope, user)
    q = Q(community_id__in=sorted(r.manage_ids | r.part_ids | r.view_ids)) | Q(pk__in=sorted(r.member_of))
    if r.resident_path:
        q |= Q(community_id=r.resident_community_id, compound__isnull=True) | Q(compound__path=compound_path(r.resident_path))
    return Council.objects.filter(q)


def require(allowed: bool, message: str | None = None) -> None:
    if not allowed:
        raise PermissionDenied(message or _("只有社区工作人员或召集人可以执行此操作。"))


# ---- the actions ------------------------------------------------------------------------------------


def can_create_council(scope: Scope, community: Place) -> bool:
    return scope.can(MANAGE_COUNCILS, community)


def can_propose(scope: Scope, user, council: Council, source: str = Topic.Source.RESIDENT) -> bool:
    if source == Topic.Source.RESIDENT:
        return is_participant(scope, user, council)
    if source == Topic.Source.GRID:
        # 网格走访发现: the grid workers and building heads of the community.
        workers = Scope([r for r in scope.reaches if r.role in _WORKERS])
        return is_manager(scope, user, council) or acts_in_community(workers, TAKE_PART, council.community)
    return is_manager(scope, user, council)


def can_support(scope: Scope, user, topic: Topic) -> bool:
    return step_allows(topic, "support") and is_participant(scope, user, topic.council)


def can_comment(scope: Scope, user, topic: Topic) -> bool:
    return step_allows(topic, "comment") and is_participant(scope, user, topic.council)


def can_add_option(scope: Scope, user, topic: Topic) -> bool:
    return step_allows(topic, "option") and is_manager(scope, user, topic.council)


def can_advance(scope: Scope, user, topic: Topic) -> bool:
    steps = topic.council.procedure
    return (
        topic.status == Topic.Status.OPEN
        and topic.step in steps
        and steps.index(topic.step) < len(steps) - 1
        and is_manager(scope, user, topic.council)
    )


def can_open_vote(scope: Scope, user, topic: Topic) -> bool:
    return step_allows(topic, "vote_open") and is_manager(scope, user, topic.council)


def can_publish_resolution(scope: Scope, user, topic: Topic) -> bool:
    return step_allows(topic, "resolution") and not hasattr(topic, "resolution") and is_manager(scope, user, topic.council)


def can_record_progress(scope: Scope, user, topic: Topic) -> bool:
    return hasattr(topic, "resolution") and topic.resolution.status != "done" and is_manager(scope, user, topic.council)


def can_close_vote(scope: Scope, user, vote: Vote) -> bool:
    return vote.status == Vote.Status.OPEN and is_manager(scope, user, vote.topic.council)


def can_record_paper_ballot(scope: Scope, user, vote: Vote) -> bool:
    return vote.status == Vote.Status.OPEN and is_manager(scope, user, vote.topic.council)


def can_manage(scope: Scope, user, council: Council) -> bool:
    """Members, meetings, minutes, attendance ticked by staff, raising appeals to the council."""
    return is_manager(scope, user, council)


TOPIC_ACTIONS = {
    "support": can_support,
    "comment": can_comment,
    "option": can_add_option,
    "advance": can_advance,
    "vote_open": can_open_vote,
    "resolution": can_publish_resolution,
    "progress": can_record_progress,
}


def topic_actions(scope: Scope, user, topic: Topic) -> set[str]:
    return {name for name, fn in TOPIC_ACTIONS.items() if fn(scope, user, topic)}


# ---- what a council may take up -----------------------------------------------------------


def council_appeals(council: Council) -> QuerySet:
    """The appeals a council may raise to a topic: still open (a closed or rejected appeal
    raised to a resolution would close nothing) and of its own places — its compound, or its
    whole community."""
    from linli.appeals.models import OPEN_STATES, Appeal

    qs = Appeal.objects.filter(community_id=council.community_id, status__in=sorted(OPEN_STATES), merged_into__isnull=True)
    if council.compound_id:
        qs = qs.filter(place__path__startswith=council.compound.path)
    return qs


def may_take_up(council: Council, appeal) -> bool:
    if appeal.community_id != council.community_id or not appeal.is_open or appeal.merged_into_id:
        return False
    return not council.compound_id or appeal.place.path.startswith(council.compound.path)
