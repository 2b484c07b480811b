"""Who may see, post, review, claim and confirm micro-wishes: the wishes' one home for permissions.

Claiming is bound to the claimer's community: a property company, a partner unit or community
staff claim wishes in the community their organisation (or post) belongs to, or below a
district department's; residents who are party members or volunteers claim in their own
community. The wall itself is public and shows no one (``selectors.wall``).
"""

from __future__ import annotations

from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy

from linli.accounts.models import STAFF_AND_ADMIN, Role
from linli.accounts.scope import Scope, register_capability, register_locator, require  # noqa: F401 (access.require)
from linli.registry.access import acts_in_community
from linli.registry.models import Organisation, Place, Resident
from linli.wishes.models import Wish, WishStatus

R = Role
_STAFF = STAFF_AND_ADMIN


def _cap(name, roles, label):
    return register_capability(name, roles=roles, label=label, domain="wishes")


REVIEW_WISHES = _cap("review_wishes", _STAFF, gettext_lazy("审核微心愿"))
POST_FOR_OTHERS = _cap("post_wishes_for_others", {R.BUILDING_HEAD, R.GRID_WORKER, R.GRID_LEADER, *_STAFF}, gettext_lazy("代居民发布心愿"))
CLAIM_WISHES = _cap("claim_wishes", {R.PROPERTY_STAFF, R.PARTNER_STAFF, *_STAFF}, gettext_lazy("认领微心愿"))

register_locator(
    Wish, path="resident__household__dwelling__path", grid="resident__household__dwelling__grid_id", household="resident__household_id"
)

# Residents who claim: party members and volunteers (care tags).
CLAIMER_TAGS = frozenset({"party_member", "on_duty_party_member", "volunteer"})
WALL_STATES = frozenset({WishStatus.OPEN, WishStatus.CLAIMED, WishStatus.FULFILLED, WishStatus.CONFIRMED})


def _own(user, wish: Wish) -> bool:
    return bool(getattr(user, "resident_id", None)) and user.resident_id == wish.resident_id


def can_review(scope: Scope, wish: Wish) -> bool:
    return scope.can(REVIEW_WISHES, wish)


def can_review_community(scope: Scope, community: Place) -> bool:
    return scope.can(REVIEW_WISHES, community)


def can_post_for(scope: Scope, user, resident: Resident) -> bool:
    return (getattr(user, "resident_id", None) == resident.pk) or scope.can(POST_FOR_OTHERS, resident)


def residents_postable_for(scope: Scope) -> QuerySet:
    return scope.filter(Resident.objects.all(), POST_FOR_OTHERS)


def _resident_claimer(user, wish: Wish) -> bool:
    resident = user.resident if getattr(user, "resident_id", None) else None
    return bool(
        resident
        and resident.household.dwelling.community_id == wish.community_id
        and resident.care_tags.filter(code__in=CLAIMER_TAGS).exists()
    )


def can_claim(scope: Scope, user, wish: Wish) -> bool:
    """Claimers of the wish's community (never one's own wish)."""
    if _own(user, wish):
        return False
    return acts_in_community(scope, CLAIM_WISHES, wish.community) or _resident_claimer(user, wish)


def may_claim_somewhere(scope: Scope, user) -> bool:
    """Menus: is this person a claimer at all."""
    if scope.has(CLAIM_WISHES):
        return True
    resident = user.resident if getattr(user, "resident_id", None) else None
    return bool(resident and resident.care_tags.filter(code__in=CLAIMER_TAGS).exists())


def claimable_organisations(scope: Scope, wish: Wish) -> list[Organisation]:
    """Units this claimer may claim for: their own, when it belongs to the wish's community."""
    orgs = Organisation.objects.filter(pk__in=sorted(scope.organisation_ids)).select_related("place")
    c = wish.community.path
    return [o for o in orgs if o.place.path.startswith(c) or c.startswith(o.place.path)]


def can_claim_for(scope: Scope, wish: Wish, organisation: Organisation) -> bool:
    return organisation.pk in {o.pk for o in claimable_organisations(scope, wish)}


def is_claimer(user, wish: Wish) -> bool:
    return wish.claimed_by_id is not None and wish.claimed_by_id == getattr(user, "pk", None)


def can_fulfil(scope: Scope, user, wish: Wish) -> bool:
    return is_claimer(user, wish)


def can_release(scope: Scope, user, wish: Wish) -> bool:
    return is_claimer(user, wish) or can_review(scope, wish)


def can_confirm(scope: Scope, user, wish: Wish) -> bool:
    """The resident, or staff / the grid worker for a resident without a phone."""
    return _own(user, wish) or can_review(scope, wish) or scope.can(POST_FOR_OTHERS, wish)


def can_withdraw(scope: Scope, user, wish: Wish) -> bool:
    return _own(user, wish) or wish.posted_by_id == getattr(user, "pk", None) or can_review(scope, wish)


def can_see_full(scope: Scope, user, wish: Wish) -> bool:
    """Who the wish is for, and the proof photo: the resident, the poster, the claimer, staff
    and the grid workers of the resident's grid."""
    return (
        _own(user, wish)
        or wish.posted_by_id == getattr(user, "pk", None)
        or is_claimer(user, wish)
        or can_review(scope, wish)
        or scope.can(POST_FOR_OTHERS, wish)
    )


def can_view(scope: Scope, user, wish: Wish) -> bool:
    """Wall wishes are public; others only to those who see them in full."""
    return wish.status in WALL_STATES or can_see_full(scope, user, wish)


def visible_wishes(scope: Scope, user) -> QuerySet:
    q = Q(status__in=sorted(WALL_STATES)) | Q(posted_by_id=user.pk) | Q(claimed_by_id=user.pk)
    if getattr(user, "resident_id", None):
        q |= Q(resident_id=user.resident_id)
    q |= scope.q(Wish, REVIEW_WISHES) | scope.q(Wish, POST_FOR_OTHERS)
    return Wish.objects.filter(q)


PREDICATES = {
    "approve": lambda scope, user, wish: can_review(scope, wish),
    "reject": lambda scope, user, wish: can_review(scope, wish),
    "claim": can_claim,
    "release": can_release,
    "fulfil": can_fulfil,
    "confirm": can_confirm,
    "withdraw": can_withdraw,
}


def allowed_actions(scope: Scope, user, wish: Wish) -> set[str]:
    return {a for a, fn in PREDICATES.items() if wish.can(a) and fn(scope, user, wish)}
