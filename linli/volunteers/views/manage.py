"""Staff: volunteers, teams, rules and campaigns, a volunteer's page, the honour roll, monthly figures."""

from __future__ import annotations

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
from linli.core.masking import mask_name
from linli.registry.models import Place
from linli.registry.selectors import community_or_404 as _community
from linli.volunteers import access, forms, selectors, services
from linli.volunteers.models import (
    Availability,
    Skill,
)
from linli.volunteers.views.own import _access_volunteer

# ---- staff: volunteers, teams, rules ----------------------------------------------------------------------


def _managed(request, community_pk) -> Place:
    community = _community(community_pk)
    if not access.can_manage(scope_for(request.user), community):
        raise Http404
    return community


def _manage_page(request, community, forms_by_name=None, status=200):
    policy = selectors.policy(community)
    bound = forms_by_name or {}
    return render(
        request,
        "volunteers/manage.html",
        {
            "community": community,
            "pending": selectors.volunteers_for_review(community)[:50],
            "teams": selectors.teams(community),
            "page": Paginator(selectors.community_volunteers(community, status="active"), 30).get_page(request.GET.get("page")),
            "campaigns": selectors.recent_campaigns(community),
            "kind_rules": selectors.kind_rules(community),
            "policy_form": bound.get("policy")
            or forms.PolicyForm(
                initial={
                    "points_per_hour": policy.points_per_hour,
                    "max_hours_per_activity": policy.max_hours_per_activity,
                    "star_hours": policy.star_hours,
                    "points_valid_months": policy.points_valid_months,
                }
            ),
            "kind_form": bound.get("kind_rule") or forms.KindRuleForm(),
            "campaign_form": bound.get("campaign") or forms.CampaignForm(),
            "team_form": bound.get("team") or forms.TeamForm(),
        },
        status=status,
    )


@login_required
def manage(request, community_pk):
    return _manage_page(request, _managed(request, community_pk))


MANAGE_ACTIONS = {
    "policy": (forms.PolicyForm, services.policy_save, _("积分规则已保存。")),
    "kind_rule": (forms.KindRuleForm, services.kind_rule_save, _("类型积分规则已保存。")),
    "campaign": (forms.CampaignForm, services.campaign_create, _("主题活动已创建。")),
    "team": (forms.TeamForm, services.team_create, _("服务队已创建。")),
}


@login_required
@require_POST
def manage_act(request, community_pk, action):
    community = _managed(request, community_pk)
    if action not in MANAGE_ACTIONS:
        raise Http404
    form_class, call, ok = MANAGE_ACTIONS[action]
    form = form_class(request.POST)
    return post_action(
        request,
        form=form,
        call=lambda d: call(actor=request.user, community=community, **d),
        success_url=reverse("volunteers:manage", args=[community.pk]),
        rerender=lambda: _manage_page(request, community, {action: form}),
        ok=ok,
    )


def _volunteer_page(request, volunteer, membership_form=None):
    scope = scope_for(request.user)
    return render(
        request,
        "volunteers/volunteer.html",
        {
            "v": volunteer,
            "manager": access.can_review(scope, volunteer),
            "memberships": volunteer.memberships.select_related("team"),
            "membership_form": membership_form or forms.MembershipForm(teams=selectors.community_teams(volunteer.community)),
            "entries": selectors.ledger(volunteer)[:30],
            "stars": selectors.star_level(volunteer.hours, selectors.policy(volunteer.community).star_hours),
            "skills": [Skill(s).label for s in volunteer.skills if s in Skill.values],
            "availability": [Availability(s).label for s in volunteer.availability if s in Availability.values],
            "transitions": [a for a, (sources, _t) in services.VOLUNTEER_TRANSITIONS.items() if volunteer.status in sources],
        },
    )


@login_required
def volunteer(request, pk):
    return _volunteer_page(request, _access_volunteer(request, pk))


@login_required
@require_POST
def volunteer_act(request, pk, action):
    volunteer = _access_volunteer(request, pk)
    if not access.can_review(scope_for(request.user), volunteer):
        raise Http404
    teams = selectors.community_teams(volunteer.community)
    if action in services.VOLUNTEER_TRANSITIONS:
        form = forms.NoteForm(request.POST)
        call = lambda d: services.volunteer_review(actor=request.user, volunteer=volunteer, action=action, note=d["note"])  # noqa: E731
    elif action == "join":
        form = forms.MembershipForm(request.POST, teams=teams)
        call = lambda d: services.membership_set(actor=request.user, volunteer=volunteer, team=d["team"], leader=d["leader"])  # noqa: E731
    elif action == "leave":
        form = forms.MembershipForm(request.POST, teams=teams)
        call = lambda d: services.membership_remove(actor=request.user, volunteer=volunteer, team=d["team"])  # noqa: E731
    else:
        raise Http404
    return post_action(
        request,
        form=form,
        call=call,
        success_url=reverse("volunteers:volunteer", args=[volunteer.pk]),
        rerender=lambda: _volunteer_page(request, volunteer, form if action in {"join", "leave"} else None),
    )


@login_required
def honours(request, community_pk):
    """光荣榜: rankings by hours per year and team, and the star levels. Names are masked for
    everyone but the community's staff."""
    community = _community(community_pk)
    params = _param(forms.HonoursParams, request)
    year = params["year"] or timezone.localdate().year
    team = selectors.community_teams(community).filter(pk=params["team"]).first() if params["team"] else None
    rows = selectors.rankings(community, year=year, team=team)
    if not access.can_manage(scope_for(request.user), community):
        for r in rows:
            r["volunteer__name"] = mask_name(r["volunteer__name"])
    return render(
        request,
        "volunteers/honours.html",
        {
            "community": community,
            "year": year,
            "years": list(range(timezone.localdate().year, timezone.localdate().year - 4, -1)),
            "team": team,
            "teams": selectors.community_teams(community),
            "rows": rows,
            "team_rows": selectors.team_rankings(community, year=year),
            "stars": selectors.star_counts(community),
            "thresholds": selectors.policy(community).star_hours,
        },
    )


@login_required
def figures(request, community_pk):
    """Monthly figures per merchant and the year's volunteering in numbers (staff, the street)."""
    community = _community(community_pk)
    scope = scope_for(request.user)
    if not access.can_view_figures(scope, community):
        raise Http404
    raw = _param(forms.MonthParam, request)["month"]
    today = timezone.localdate()
    year, month = (int(raw[:4]), int(raw[5:])) if raw else (today.year, today.month)
    return render(
        request,
        "volunteers/figures.html",
        {
            "community": community,
            "month": f"{year}-{month:02d}",
            "rows": selectors.merchant_month(community, year, month),
            "totals": selectors.figures(community, year=year),
            "manager": access.can_manage(scope, community),
            "offers": selectors.community_offers(community) if access.can_manage(scope, community) else [],
        },
    )
