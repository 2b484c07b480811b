"""Oversight: each worker's minutes against the rule and the overdue visits, for a grid and a community."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import render

from linli.accounts.scope import scope_for
from linli.gridwork import access, selectors
from linli.gridwork.views.common import _get
from linli.registry.models import Grid, Place, PlaceKind
from linli.registry.vocabulary import grid_families

# ---- oversight: compliance and overdue visits ----------------------------------------------------------------


@login_required
def grid_overview(request, grid_pk):
    """A grid: each worker's minutes per day against the rule, and the overdue visits."""
    scope = scope_for(request.user)
    grid = _get(Grid.objects.select_related("community"), grid_pk)
    if not access.can_view_grid(scope, grid):
        raise Http404
    data = selectors.compliance([grid.pk, *Grid.objects.filter(parent=grid).values_list("pk", flat=True)], community_id=grid.community_id)
    overdue = [t for t in selectors.visit_targets(grid_ids=[grid.pk], community_id=grid.community_id) if t.state == "overdue"]
    return render(
        request,
        "gridwork/grid_overview.html",
        {"grid": grid, "compliance": data, "overdue": overdue[:200], "overdue_count": len(overdue), "forces": grid.supporting_forces.all()},
    )


@login_required
def community_overview(request, community_pk):
    scope = scope_for(request.user)
    community = _get(Place.objects.filter(kind=PlaceKind.COMMUNITY), community_pk)
    if not access.can_view_community(scope, community):
        raise Http404
    grid_ids = list(Grid.objects.filter(community=community).values_list("pk", flat=True))
    data = selectors.compliance(grid_ids, community_id=community.pk)
    targets = selectors.visit_targets(grid_ids=grid_ids, community_id=community.pk)
    by_grid: dict = {}
    for t in targets:
        if t.state == "overdue":
            by_grid[t.household.dwelling.grid_id] = by_grid.get(t.household.dwelling.grid_id, 0) + 1
    grids = list(Grid.objects.filter(pk__in=grid_ids, parent__isnull=True).order_by("code"))
    flags = selectors.flagged_grids([community.pk])
    families = grid_families([g.pk for g in grids])
    for g in grids:
        g.overdue = sum(n for gid, n in by_grid.items() if gid in families[g.pk])
        g.full_time_flag = flags.get(g.pk)
    sentiments = access.visible_sentiments(scope, request.user).filter(
        grid__community=community, follow_up_needed=True, follow_up_done=False
    )
    return render(
        request,
        "gridwork/community_overview.html",
        {
            "community": community,
            "compliance": data,
            "grids": grids,
            "open_sentiments": sentiments.count(),
            "overdue_total": sum(by_grid.values()),
        },
    )
