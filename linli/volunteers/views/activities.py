"""Activities: the list, an activity's page and actions, publishing, the QR poster and its scan, the roster."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from linli.accounts.scope import scope_for
from linli.core.errors import post_action
from linli.core.errors import query_params as _param
from linli.registry.selectors import community_or_404 as _community
from linli.volunteers import access, forms, selectors, services
from linli.volunteers.models import (
    Activity,
    SignUp,
    SignUpStatus,
    Skill,
)
from linli.volunteers.views.own import _activity_community

# ---- activities ------------------------------------------------------------------------------------------


@login_required
def activities(request):
    """Upcoming activities of my community (or ?community= for staff and the curious)."""
    pk = _param(forms.CommunityParam, request)["community"]
    volunteer = access.volunteer_of(request.user)
    if pk:
        community = _community(pk)
    else:
        community = _activity_community(request.user, volunteer)
    if community is None:
        raise Http404
    qs = selectors.with_my_signup(selectors.activities(community), volunteer)
    page = Paginator(qs, 20).get_page(request.GET.get("page"))
    return render(
        request,
        "volunteers/activities.html",
        {"community": community, "page": page, "may_publish": access.may_publish_somewhere(scope_for(request.user), request.user)},
    )


def _access_activity(request, pk) -> Activity:
    activity = Activity.objects.select_related("community", "team", "campaign").filter(pk=pk).first()
    if activity is None or not access.can_view_activity(scope_for(request.user), request.user, activity):
        raise Http404
    return activity


def _activity_page(request, activity, status=200):
    scope = scope_for(request.user)
    volunteer = access.volunteer_of(request.user)
    mine = selectors.signup_of(activity, volunteer)
    organiser = access.can_organise(scope, request.user, activity)
    actions = access.activity_actions(scope, request.user, activity, mine)
    return render(
        request,
        "volunteers/activity.html",
        {
            "activity": activity,
            "mine": mine,
            "actions": actions,
            "organiser": organiser,
            "roster": selectors.roster(activity) if organiser else None,
            "max_hours": selectors.policy(activity.community).max_hours_per_activity,
            "started": activity.starts_at <= timezone.now(),
            "skills": [Skill(s).label for s in activity.skills if s in Skill.values],
        },
        status=status,
    )


@login_required
def activity(request, pk):
    return _activity_page(request, _access_activity(request, pk))


ACTIVITY_ACTIONS = {
    "signup": (forms.EmptyForm, lambda u, a, d: services.activity_sign_up(actor=u, activity=a), _("报名成功，活动前一天会提醒您。")),
    "withdraw": (forms.EmptyForm, lambda u, a, d: services.activity_withdraw(actor=u, activity=a), _("已取消报名。")),
    "cancel": (
        forms.ReasonForm,
        lambda u, a, d: services.activity_cancel(actor=u, activity=a, reason=d["reason"]),
        _("活动已取消，已通知报名的志愿者。"),
    ),
}


@login_required
@require_POST
def activity_act(request, pk, action):
    activity = _access_activity(request, pk)
    if action not in ACTIVITY_ACTIONS:
        raise Http404
    form_class, call, ok = ACTIVITY_ACTIONS[action]
    return post_action(
        request,
        form=form_class(request.POST),
        call=lambda d: call(request.user, activity, d),
        success_url=reverse("volunteers:activity", args=[activity.pk]),
        rerender=lambda: _activity_page(request, activity),
        ok=ok,
    )


def _publish_targets(request, community):
    """Teams this person may publish for: all of the community's (staff), or the ones they lead."""
    scope = scope_for(request.user)
    if access.can_manage(scope, community):
        return selectors.community_teams(community), False
    return access.led_teams(request.user).filter(community=community), True


@login_required
def activity_new(request):
    pk = _param(forms.CommunityParam, request)["community"] if request.method == "GET" else request.POST.get("community", "")
    try:
        community = _community(int(pk)) if pk else None
    except (TypeError, ValueError, OverflowError):
        raise Http404 from None
    if community is None:
        volunteer = access.volunteer_of(request.user)
        community = volunteer.community if volunteer else access.managed_communities(scope_for(request.user)).first()
    if community is None:
        raise Http404
    teams, leader_only = _publish_targets(request, community)
    if not (access.can_manage(scope_for(request.user), community) or teams.exists()):
        raise Http404
    campaigns = selectors.open_campaigns(community)
    form = forms.ActivityForm(request.POST or None, teams=teams, campaigns=campaigns, team_required=leader_only)

    def page():
        return render(request, "volunteers/activity_new.html", {"form": form, "community": community})

    if request.method != "POST":
        return page()
    return post_action(
        request,
        form=form,
        call=lambda d: services.activity_publish(actor=request.user, community=community, **d),
        success_url=lambda a: reverse("volunteers:activity", args=[a.pk]),
        rerender=page,
        ok=_("活动已发布。"),
    )


@login_required
def poster(request, pk):
    """The check-in QR to print and put up at the place (organisers only: it proves presence)."""
    import segno

    activity = _access_activity(request, pk)
    if not access.can_organise(scope_for(request.user), request.user, activity):
        raise Http404
    url = settings.LINLI_BASE_URL.rstrip("/") + reverse("volunteers:scan", args=[activity.pk, activity.checkin_token])
    svg = segno.make(url, error="m").svg_inline(scale=8, dark="#000", light="#fff")
    return render(request, "volunteers/poster.html", {"activity": activity, "svg": svg, "url": url})


@login_required
def scan(request, pk, token):
    """What the QR opens: the volunteer's check-in or check-out button for this activity."""
    activity = _access_activity(request, pk)
    volunteer = access.volunteer_of(request.user)
    mine = selectors.signup_of(activity, volunteer)
    mine = mine if mine is not None and mine.status == SignUpStatus.SIGNED else None

    def page(status=200):
        return render(request, "volunteers/scan.html", {"activity": activity, "mine": mine, "token": token}, status=status)

    if request.method != "POST":
        return page()
    return post_action(
        request,
        form=forms.ScanForm(request.POST),
        call=lambda d: services.activity_check(actor=request.user, activity=activity, token=token, direction=d["direction"]),
        success_url=reverse("volunteers:scan", args=[activity.pk, token]),
        rerender=page,
        ok=_("已记录。"),
    )


SIGNUP_ACTIONS = {
    "tick": (forms.EmptyForm, lambda u, s, d: services.attendance_tick(actor=u, signup=s), _("已登记到场，时长已记入。")),
    "correct": (forms.HoursForm, lambda u, s, d: services.hours_correct(actor=u, signup=s, **d), _("时长已更正。")),
}


@login_required
@require_POST
def signup_act(request, pk, action):
    signup = SignUp.objects.select_related("activity__community", "activity__team").filter(pk=pk).first()
    if signup is None or action not in SIGNUP_ACTIONS:
        raise Http404
    activity = signup.activity
    if not access.can_organise(scope_for(request.user), request.user, activity):
        raise Http404
    form_class, call, ok = SIGNUP_ACTIONS[action]
    return post_action(
        request,
        form=form_class(request.POST),
        call=lambda d: call(request.user, signup, d),
        success_url=reverse("volunteers:activity", args=[activity.pk]),
        rerender=lambda: _activity_page(request, activity),
        ok=ok,
    )
