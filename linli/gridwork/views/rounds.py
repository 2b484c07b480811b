"""Survey and publicity rounds (入户走访) and their contacts."""

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
from linli.gridwork.models import Round
from linli.gridwork.views.common import _get
from linli.registry.models import Grid
from linli.registry.vocabulary import home_community

# ---- rounds ------------------------------------------------------------------------------------------------


@login_required
def rounds(request):
    scope = scope_for(request.user)
    visible = access.visible_rounds(scope).select_related("community").order_by("-starts_on")
    community = access.round_community(scope, home_community(request.user, scope))
    manage = community is not None
    form = forms.RoundForm(
        request.POST or None, grids=Grid.objects.filter(community=community).order_by("code") if community else Grid.objects.none()
    )
    if request.method == "POST":
        if not manage:
            raise Http404
        return post_action(
            request,
            form=form,
            call=lambda d: services.round_create(actor=request.user, community=community, **d),
            success_url=lambda r: reverse("gridwork:round", args=[r.pk]),
            rerender=lambda: render(request, "gridwork/rounds.html", {"rounds": visible, "form": form, "manage": manage}),
            ok=_("已创建。"),
        )
    if not (manage or scope.has(access.VIEW_GRIDWORK) or scope.has(access.RECORD_VISITS) or scope.has(access.STEWARD)):
        raise Http404
    return render(request, "gridwork/rounds.html", {"rounds": visible, "form": form if manage else None, "manage": manage})


def _round(request, pk) -> Round:
    rnd = _get(Round.objects.select_related("community"), pk)
    if not access.can_view_round(scope_for(request.user), rnd):
        raise Http404
    return rnd


@login_required
def round_detail(request, pk):
    scope = scope_for(request.user)
    rnd = _round(request, pk)
    my_grids = selectors.my_grid_ids(scope)
    households = None
    if my_grids or scope.has(access.STEWARD):
        qs = selectors.round_households(rnd, my_grids or list(rnd.grids.values_list("pk", flat=True)))
        if not my_grids:
            qs = qs.filter(pk__in=sorted(access.steward_household_ids(request.user)))
        households = Paginator(qs, 30).get_page(request.GET.get("page"))
    return render(
        request,
        "gridwork/round.html",
        {"round": rnd, "coverage": selectors.round_coverage(rnd), "results": selectors.round_results(rnd), "page": households},
    )


@login_required
def round_contact(request, pk, household_pk):
    scope = scope_for(request.user)
    rnd = _round(request, pk)
    household = _get(access.visitable_households(scope, request.user).select_related("dwelling"), household_pk)
    form = forms.ContactForm(request.POST or None, rnd=rnd)

    def page():
        return render(request, "gridwork/round_contact.html", {"round": rnd, "household": household, "form": form})

    if request.method != "POST":
        return page()
    return post_action(
        request,
        form=form,
        call=lambda d: services.round_contact(actor=request.user, round=rnd, household=household, answers=form.answers(), note=d["note"]),
        success_url=reverse("gridwork:round", args=[rnd.pk]),
        rerender=page,
        ok=_("已登记。"),
    )
