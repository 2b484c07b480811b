"""Who may publish a notice where, follow up who has not read it, and see what: the notices'
one home for permissions.

Staff publish anywhere in their community; a grid worker or grid leader to their grid and the
buildings and stairwells in it; a building head to their building or stairwell. Following up
(who has not read it, marking someone told at the door, reminding) is per receipt, in the
follower's reach: a building head sees their stairwells only. Ad-hoc groups are kept by staff.
A resident sees the notices that reached them (a receipt of their own).
"""

from __future__ import annotations

from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy

from linli.accounts.models import STAFF_AND_ADMIN, Role
from linli.accounts.scope import Scope, register_capability, register_locator, require  # noqa: F401 (access.require)
from linli.notices.models import Group, Notice, NoticeStatus, Receipt, Reply
from linli.registry.access import acts_in_community, community_ids
from linli.registry.models import Grid, Place, PlaceKind
from linli.registry.vocabulary import own_resident_id

R = Role
_STAFF = STAFF_AND_ADMIN


def _cap(name, roles, label):
    return register_capability(name, roles=roles, label=label, domain="notices")


PUBLISH_NOTICES = _cap("publish_notices", {R.BUILDING_HEAD, R.GRID_WORKER, R.GRID_LEADER, *_STAFF}, gettext_lazy("发布通知"))
FOLLOW_UP_NOTICES = _cap(
    "follow_up_notices", {R.BUILDING_HEAD, R.GRID_WORKER, R.GRID_LEADER, *_STAFF}, gettext_lazy("查看阅读回执、上门告知和提醒未读")
)
MANAGE_NOTICES = _cap("manage_notices", _STAFF, gettext_lazy("管理群组、撤回通知、将留言转为诉求"))

register_locator(Group, path="community__path")
register_locator(Notice, path="community__path", community="community_id")
register_locator(Receipt, path="dwelling__path", grid="dwelling__grid_id")

# The nodes of the tree a notice can be published to (a dwelling is a person's, not a group).
TREE_KINDS = (PlaceKind.COMMUNITY, PlaceKind.COMPOUND, PlaceKind.BUILDING, PlaceKind.UNIT)


# ---- publishing ---------------------------------------------------------------------------------


def can_publish_to_place(scope: Scope, place: Place) -> bool:
    return place.kind in TREE_KINDS and scope.can(PUBLISH_NOTICES, place)


def can_publish_to_grid(scope: Scope, grid: Grid) -> bool:
    return scope.can(PUBLISH_NOTICES, grid)


def can_manage(scope: Scope, community: Place) -> bool:
    return acts_in_community(scope, MANAGE_NOTICES, community)


def can_publish_to_group(scope: Scope, group: Group) -> bool:
    return can_manage(scope, group.community)


def publish_places(scope: Scope, community: Place) -> QuerySet:
    """The tree nodes of this community this person may publish to, top first."""
    qs = Place.objects.filter(path__startswith=community.path, kind__in=TREE_KINDS)
    return scope.filter(qs, PUBLISH_NOTICES).order_by("path")


def publish_grids(scope: Scope, community: Place) -> QuerySet:
    return scope.filter(Grid.objects.filter(community=community), PUBLISH_NOTICES).order_by("code")


def publish_groups(scope: Scope, community: Place) -> QuerySet:
    return Group.objects.filter(community=community) if can_manage(scope, community) else Group.objects.none()


def publishing_communities(scope: Scope) -> QuerySet:
    return Place.objects.filter(pk__in=community_ids(scope, PUBLISH_NOTICES)).order_by("path")


# ---- reading and following up -------------------------------------------------------------------


def follows(scope: Scope, notice: Notice) -> bool:
    """Publishers and followers in the notice's community see it with its figures (their own
    reach's receipts only)."""
    return acts_in_community(scope, FOLLOW_UP_NOTICES, notice.community)


def is_recipient(user, notice: Notice) -> bool:
    rid = own_resident_id(user)
    return bool(rid) and Receipt.objects.filter(notice=notice, resident_id=rid).exists()


def can_view(scope: Scope, user, notice: Notice) -> bool:
    if notice.status == NoticeStatus.WITHDRAWN:
        return follows(scope, notice)
    return follows(scope, notice) or is_recipient(user, notice)


def visible_notices(scope: Scope, user) -> QuerySet:
    """The notices this person got, and those of the communities they follow up in."""
    q = Q(pk__in=[])
    rid = own_resident_id(user)
    if rid:
        q |= Q(receipts__resident_id=rid) & ~Q(status=NoticeStatus.WITHDRAWN)
    ids = community_ids(scope, FOLLOW_UP_NOTICES)
    if ids:
        q |= Q(community_id__in=ids)
    return Notice.objects.filter(pk__in=Notice.objects.filter(q).values("pk"))


def followed_receipts(scope: Scope, notice: Notice) -> QuerySet:
    """The receipts of this notice in the follower's reach (a building head: their stairwells)."""
    return scope.filter(Receipt.objects.filter(notice=notice), FOLLOW_UP_NOTICES)


def can_mark_told(scope: Scope, receipt: Receipt) -> bool:
    return receipt.notice.status != NoticeStatus.WITHDRAWN and scope.can(FOLLOW_UP_NOTICES, receipt)


def can_remind(scope: Scope, notice: Notice) -> bool:
    return notice.status == NoticeStatus.SENT and follows(scope, notice)


def can_withdraw(scope: Scope, user, notice: Notice) -> bool:
    if notice.status == NoticeStatus.WITHDRAWN:
        return False
    return notice.published_by_id == getattr(user, "pk", None) or can_manage(scope, notice.community)


def can_reply(user, notice: Notice) -> bool:
    return notice.status != NoticeStatus.WITHDRAWN and is_recipient(user, notice)


def can_raise_appeal(scope: Scope, reply: Reply) -> bool:
    return reply.appeal_id is None and can_manage(scope, reply.notice.community)


def notice_actions(scope: Scope, user, notice: Notice) -> dict[str, bool]:
    return {
        "remind": can_remind(scope, notice),
        "withdraw": can_withdraw(scope, user, notice),
        "reply": can_reply(user, notice),
        "follow": follows(scope, notice),
        "manage": can_manage(scope, notice.community),
    }
