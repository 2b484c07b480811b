"""Home visits to care households, and 民情 records."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _

from linli.accounts.scope import scope_for
from linli.core.errors import post_action
from linli.gridwork import access, forms, selectors, services
from linli.gridwork.views.common import _get, _source
from linli.registry.vocabulary import home_community

# ---- visits -------------------------------------------------------------------------------------------------


@login_required
def visits(request):
    """Households due and overdue for a visit, for the worker's grid (a steward: their households)."""
    scope = scope_for(request.user)
    if not (scope.has(access.RECORD_VISITS) or scope.has(access.STEWARD)):
        raise Http404
    community = home_community(request.user, scope)
    targets = selectors.my_visit_targets(request.user, scope, community) if community else []
    tab = request.GET.get("tab", "overdue")
    if tab not in ("overdue", "due", "all"):
        raise Http404
    chosen = {
        "overdue": [t for t in targets if t.state == "overdue"],
        "due": [t for t in targets if t.state in ("due_today", "due_soon")],
        "all": targets,
    }[tab]
    page = Paginator(chosen, 30).get_page(request.GET.get("page"))
    counts = {
        "overdue": sum(t.state == "overdue" for t in targets),
        "due": sum(t.state in ("due_today", "due_soon") for t in targets),
        "all": len(targets),
    }
    recent = access.visible_visits(scope, request.user).filter(worker=request.user).select_related("household__dwelling")[:10]
    return render(request, "gridwork/visits.html", {"page": page, "tab": tab, "counts": counts, "recent": recent})


@login_required
def visit_new(request):
    scope = scope_for(request.user)
    household = _get(access.visitable_households(scope, request.user).select_related("dwelling"), request.GET.get("household"))
    patrol, _visit = _source(request)
    form = forms.VisitForm(request.POST or None, household=household)
    targets = selectors.visit_targets(household_ids=[household.pk], community_id=household.dwelling.community_id)

    def page():
        return render(
            request,
            "gridwork/visit_form.html",
            {
                "household": household,
                "form": form,
                "target": targets[0] if targets else None,
                "history": household.visits.select_related("worker")[:10],
            },
        )

    if request.method != "POST":
        return page()
    return post_action(
        request,
        form=form,
        call=lambda d: services.visit_record(actor=request.user, household=household, patrol=patrol, **d),
        success_url=lambda v: reverse("gridwork:visit", args=[v.pk]),
        rerender=page,
        ok=_("走访已登记。发现的需求可在本页转为服务单或微心愿。"),
    )


@login_required
def visit_detail(request, pk):
    """One visit: what was seen and needed, and what it turned into (service orders, wishes,
    appeals), each linked; its worker turns a need into an order or a wish from here."""
    scope = scope_for(request.user)
    visit = _get(
        access.visible_visits(scope, request.user).select_related("household__dwelling", "worker", "grid"),
        pk,
    )
    findings = list(selectors.visit_findings(visit))
    return render(
        request,
        "gridwork/visit.html",
        {"visit": visit, "findings": findings, "mine": visit.worker_id == request.user.pk},
    )


# ---- 民情 ----------------------------------------------------------------------------------------------------


@login_required
def sentiments(request):
    scope = scope_for(request.user)
    if not (scope.has(access.RECORD_VISITS) or scope.has(access.VIEW_GRIDWORK) or scope.has(access.STEWARD)):
        raise Http404
    qs = access.visible_sentiments(scope, request.user).select_related("grid", "household__dwelling", "place", "worker")
    if request.GET.get("follow") == "1":
        qs = qs.filter(follow_up_needed=True, follow_up_done=False)
    page = Paginator(qs.order_by("-created_at"), 30).get_page(request.GET.get("page"))
    return render(request, "gridwork/sentiments.html", {"page": page})
