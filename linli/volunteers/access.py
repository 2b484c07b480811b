"""Who may register, organise, sign up, check in, redeem and see figures: the volunteers'
one home for permissions.

Staff of a community manage its volunteers, teams, rules and offers; a team leader (队长)
publishes and runs the activities of their team; an approved volunteer signs up in their own
community; a merchant's staff (a partner-staff role anchored to the merchant) confirm codes at
their own shop only; a partner unit's staff record their unit's purchases. The street sees
figures (counts and sums), never the volunteers' phones.
"""

from __future__ import annotations

from django.db.models import QuerySet
from django.utils.translation import gettext_lazy

from linli.accounts.models import STAFF_AND_ADMIN, Role
from linli.accounts.scope import Scope, register_capability, register_locator, require  # noqa: F401 (access.require)
from linli.registry.access import acts_in_community
from linli.registry.models import Organisation, Place, PlaceKind
from linli.registry.vocabulary import home_community, own_resident_id
from linli.volunteers.models import (
    Activity,
    ActivityStatus,
    DutyKind,
    DutyPost,
    DutyShift,
    Offer,
    PointsCampaign,
    Purchase,
    Redemption,
    SignUpStatus,
    Team,
    Volunteer,
)

R = Role
_STAFF = STAFF_AND_ADMIN


def _cap(name, roles, label):
    return register_capability(name, roles=roles, label=label, domain="volunteers")


MANAGE_VOLUNTEERS = _cap("manage_volunteers", _STAFF, gettext_lazy("管理志愿者、活动与爱心商圈"))
VIEW_VOLUNTEER_FIGURES = _cap("view_volunteer_figures", {*_STAFF, R.STREET_SUPERVISOR}, gettext_lazy("查看志愿服务统计"))
# Held through an organisation: which one decides (a merchant confirms, a partner unit buys).
SERVE_AS_UNIT = _cap("serve_as_unit", {R.PARTNER_STAFF}, gettext_lazy("以商户或共建单位身份核销、认购"))

for model in (Volunteer, Team, Activity, PointsCampaign, Offer, Purchase, DutyPost):
    register_locator(model, path="community__path")
register_locator(Redemption, path="offer__community__path")


# ---- who is who ---------------------------------------------------------------------------------


def volunteer_of(user) -> Volunteer | None:
    if not getattr(user, "is_authenticated", False):
        return None
    cached = getattr(user, "_linli_volunteer", False)
    if cached is False:
        cached = Volunteer.objects.filter(user=user).first()
        user._linli_volunteer = cached
    return cached


def forget_volunteer(user) -> None:
    user.__dict__.pop("_linli_volunteer", None)


def leads(user, team: Team | None) -> bool:
    """Whether this user is an active leader (队长) of the team."""
    volunteer = volunteer_of(user)
    return bool(team is not None and volunteer and volunteer.is_active and volunteer.memberships.filter(team=team, leader=True).exists())


def led_teams(user) -> QuerySet:
    volunteer = volunteer_of(user)
    if volunteer is None or not volunteer.is_active:
        return Team.objects.none()
    return Team.objects.filter(memberships__volunteer=volunteer, memberships__leader=True)


def home_community_for_volunteering(user) -> Place | None:
    """Where a person registers: their dwelling's community, or their unit's."""
    if own_resident_id(user):
        return home_community(user)
    from linli.accounts.models import RoleAssignment

    a = (
        RoleAssignment.objects.filter(user=user, role=R.PARTNER_STAFF, organisation__kind=Organisation.Kind.PARTNER_UNIT)
        .select_related("organisation__place")
        .first()
    )
    if a is None:
        return None
    place = a.organisation.place
    return place if place.kind == PlaceKind.COMMUNITY else None


# ---- predicates ---------------------------------------------------------------------------------


def can_manage(scope: Scope, community: Place) -> bool:
    return acts_in_community(scope, MANAGE_VOLUNTEERS, community)


def can_view_figures(scope: Scope, community: Place) -> bool:
    return acts_in_community(scope, VIEW_VOLUNTEER_FIGURES, community)


def can_register(user) -> bool:
    return volunteer_of(user) is None and home_community_for_volunteering(user) is not None


def can_review(scope: Scope, volunteer: Volunteer) -> bool:
    return can_manage(scope, volunteer.community)


def can_see_volunteer(scope: Scope, user, volunteer: Volunteer) -> bool:
    """The volunteer themself, the community's staff, and the leaders of their teams."""
    if volunteer.user_id == getattr(user, "pk", None) or can_manage(scope, volunteer.community):
        return True
    return led_teams(user).filter(memberships__volunteer=volunteer).exists()


def can_publish(scope: Scope, user, community: Place, team: Team | None) -> bool:
    """Staff publish in their community; a team leader publishes for their own team."""
    if can_manage(scope, community):
        return True
    return team is not None and team.community_id == community.pk and leads(user, team)


def may_publish_somewhere(scope: Scope, user) -> bool:
    return scope.has(MANAGE_VOLUNTEERS) or led_teams(user).exists()


def can_organise(scope: Scope, user, activity: Activity) -> bool:
    """Run the roster: tick attendance, correct hours, cancel. The publisher's side."""
    return can_manage(scope, activity.community) or leads(user, activity.team)


def can_sign_up(user, activity: Activity) -> bool:
    volunteer = volunteer_of(user)
    return bool(volunteer and volunteer.is_active and volunteer.community_id == activity.community_id)


def can_view_activity(scope: Scope, user, activity: Activity) -> bool:
    """Activities are public notices to anyone signed in (a cancelled one stays visible)."""
    return getattr(user, "is_authenticated", False)


def can_issue_code(user, offer: Offer) -> bool:
    """A volunteer of the offer's community with points, or a household in hardship by care tag."""
    if not offer.active:
        return False
    volunteer = volunteer_of(user)
    if offer.for_volunteers and volunteer and volunteer.is_active and volunteer.community_id == offer.community_id:
        return True
    return bool(care_eligible(user, offer))


def care_eligible(user, offer: Offer) -> bool:
    resident = user.resident if getattr(user, "resident_id", None) else None
    if resident is None or resident.household.dwelling.community_id != offer.community_id:
        return False
    tag_ids = {t.pk for t in offer.care_tags.all()}
    return bool(tag_ids) and resident.care_tags.filter(pk__in=tag_ids).exists()


def merchant_ids(scope: Scope) -> set[int]:
    return (
        set(
            Organisation.objects.filter(pk__in=sorted(scope.organisation_ids), kind=Organisation.Kind.MERCHANT).values_list("pk", flat=True)
        )
        if scope.has(SERVE_AS_UNIT)
        else set()
    )


def buyer_units(scope: Scope) -> QuerySet:
    if not scope.has(SERVE_AS_UNIT):
        return Organisation.objects.none()
    return Organisation.objects.filter(pk__in=sorted(scope.organisation_ids), kind=Organisation.Kind.PARTNER_UNIT)


def can_confirm_at(scope: Scope, offer: Offer) -> bool:
    """Only the merchant's own staff confirm its codes."""
    return offer.merchant_id in merchant_ids(scope)


def can_edit_offer(scope: Scope, offer_merchant: Organisation) -> bool:
    return offer_merchant.pk in merchant_ids(scope) or can_manage(scope, offer_merchant.place)


# ---- what a scope sees ---------------------------------------------------------------------------


def managed_communities(scope: Scope) -> QuerySet:
    from linli.registry.access import communities

    return communities(scope, MANAGE_VOLUNTEERS)


def figure_communities(scope: Scope) -> QuerySet:
    from linli.registry.access import communities

    return communities(scope, VIEW_VOLUNTEER_FIGURES)


def visible_volunteers(scope: Scope, user) -> QuerySet:
    """Rows a person may open: theirs, their community's (staff), their teams' (leaders)."""
    from django.db.models import Q

    q = scope.q(Volunteer, MANAGE_VOLUNTEERS) | Q(user_id=getattr(user, "pk", None))
    teams = list(led_teams(user).values_list("pk", flat=True))
    if teams:
        q |= Q(memberships__team_id__in=teams)
    return Volunteer.objects.filter(q).distinct()


def offers_for(user) -> QuerySet:
    """Offers this person may use now (the page filters each row with ``can_issue_code``)."""
    community = home_community_for_volunteering(user) if getattr(user, "is_authenticated", False) else None
    if community is None:
        return Offer.objects.none()
    return Offer.objects.filter(community=community, active=True)


def _open(activity: Activity) -> bool:
    return activity.status == ActivityStatus.PUBLISHED and not activity.is_over


def can_cancel(scope: Scope, user, activity: Activity) -> bool:
    return _open(activity) and can_organise(scope, user, activity)


def activity_actions(scope: Scope, user, activity: Activity, signup) -> set[str]:
    """What this person's page offers: sign up (no place held), withdraw (a place held, not yet
    checked in), cancel (the organiser's side)."""
    actions = set()
    if _open(activity) and can_sign_up(user, activity):
        held = signup is not None and signup.status == SignUpStatus.SIGNED
        if not held:
            actions.add("signup")
        elif signup.checked_in_at is None:
            actions.add("withdraw")
    if can_cancel(scope, user, activity):
        actions.add("cancel")
    return actions


# ---- 值勤 ----------------------------------------------------------------------------------------

register_locator(DutyShift, path="post__community__path")


def can_manage_duty(scope: Scope, community: Place) -> bool:
    """Posts and the rota are the community's staff's, like activities."""
    return can_manage(scope, community)


def duty_kind_of(user, post: DutyPost) -> str | None:
    """What this person stands duty as at this post, or None: an approved volunteer of the
    community, staff of the property company serving the compound, or staff of a partner unit
    of the community (in-person service of 双报到 units)."""
    from linli.accounts.models import RoleAssignment

    volunteer = Volunteer.objects.filter(user=user, community_id=post.community_id).first()
    if volunteer is not None and volunteer.is_active:
        return DutyKind.VOLUNTEER
    posts = RoleAssignment.objects.filter(user=user, organisation__isnull=False).select_related("organisation")
    for ra in posts:
        org = ra.organisation
        if ra.role == Role.PROPERTY_STAFF and org.served_compounds.filter(pk=post.compound_id).exists():
            return DutyKind.PROPERTY
        if ra.role == Role.PARTNER_STAFF and org.place_id == post.community_id:
            return DutyKind.PARTNER
    return None


def duty_people(community: Place):
    """Who may be put on the rota: the community's approved volunteers and the staff of its
    organisations (property companies, partner units), each once. Two queries."""
    from django.db.models import Q

    from linli.accounts.models import RoleAssignment, User
    from linli.volunteers.models import VolunteerStatus

    volunteer_users = Volunteer.objects.filter(community=community, status=VolunteerStatus.ACTIVE).values("user_id")
    staff = RoleAssignment.objects.filter(role__in=[Role.PROPERTY_STAFF, Role.PARTNER_STAFF], organisation__place=community).values(
        "user_id"
    )
    return User.objects.filter(Q(pk__in=volunteer_users) | Q(pk__in=staff)).order_by("username")


def can_check_duty(user, shift: DutyShift) -> bool:
    """Only the person on the shift checks in and out, on their own phone."""
    return getattr(user, "pk", None) == shift.person_id


def visible_shifts(scope: Scope, user) -> QuerySet:
    """Shifts a person sees: their own, and every shift of the communities they manage."""
    from django.db.models import Q

    q = Q(person_id=getattr(user, "pk", None))
    if scope.has(MANAGE_VOLUNTEERS):
        q |= scope.q(DutyShift, MANAGE_VOLUNTEERS)
    return DutyShift.objects.filter(q)
