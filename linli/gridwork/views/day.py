"""The grid worker's day (我的一天): minutes in compounds against the rule, the open patrol, visits due."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import render

from linli.accounts.scope import scope_for
from linli.gridwork import access, selectors
from linli.gridwork.models import GridworkRule
from linli.registry.vocabulary import home_community

# ---- the grid worker's day ----------------------------------------------------------------------------


@login_required
def day(request):
    """我的一天: minutes in compounds today against the rule, the open patrol, visits due and
    overdue, tasks from the inbox, one-tap findings."""
    from linli.appeals.selectors import inbox_counts

    scope = scope_for(request.user)
    patrols = access.can_patrol(scope)
    steward = scope.has(access.STEWARD)
    visits = scope.has(access.RECORD_VISITS) or steward
    if not (patrols or visits or scope.has(access.VIEW_GRIDWORK)):
        raise Http404
    community = home_community(request.user, scope)
    context = {
        "patrols": patrols,
        "steward": steward,
        "community": community,
        "whole_community": community is not None and access.can_view_community(scope, community),
    }
    if community is not None:
        rule = GridworkRule.for_community(community.pk)
        seconds = selectors.today_seconds(request.user, community_id=community.pk)
        context.update(rule=rule, minutes=seconds // 60, enough=rule.met(seconds))
    if patrols:
        context["open_patrol"] = selectors.open_patrol(request.user)
        context["compounds"] = access.patrol_compounds(scope)
        context["recent"] = selectors.recent_patrols(request.user, 5)
    if visits and community is not None:
        targets = selectors.my_visit_targets(request.user, scope, community)
        overdue = [t for t in targets if t.state == "overdue"]
        context["overdue"] = overdue[:5]
        context["overdue_count"] = len(overdue)
        context["due_count"] = sum(t.state in ("due_today", "due_soon") for t in targets)
    from linli.appeals.access import can_list

    context["inbox"] = inbox_counts(scope) if can_list(scope) else None
    context["grids"] = access.viewable_grids(scope).select_related("community")[:50] if scope.has(access.VIEW_GRIDWORK) else []
    return render(request, "gridwork/day.html", context)
