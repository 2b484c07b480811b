"""The community's settings: the rule, visit frequencies, stewards and each grid's supporting forces."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import render
from django.urls import reverse

from linli.accounts.models import Role, RoleAssignment, User
from linli.accounts.scope import scope_for
from linli.core.errors import post_action
from linli.gridwork import access, forms, selectors, services
from linli.gridwork.models import GridworkRule, StewardLink, SupportingForce
from linli.gridwork.views.common import _get
from linli.registry.models import CareTag, Grid, Household, Place, PlaceKind
from linli.registry.vocabulary import grid_family

# ---- the community's settings: rules, frequencies, stewards, supporting forces ---------------------------------


@login_required
def settings_page(request, community_pk):
    scope = scope_for(request.user)
    community = _get(Place.objects.filter(kind=PlaceKind.COMMUNITY), community_pk)
    if not access.can_manage_structure(scope, community):
        raise Http404
    rule = GridworkRule.for_community(community.pk)
    rule_form = forms.RuleForm(
        request.POST if request.POST.get("form") == "rule" else None,
        initial={f: getattr(rule, f) for f in services.RULE_FIELDS},
    )
    freq_form = forms.FrequencyForm(request.POST if request.POST.get("form") == "frequency" else None)
    stewards = User.objects.filter(role_assignments__role=Role.RED_STEWARD, role_assignments__grid__community=community).distinct()
    # A steward looks after households of their own grid: only those grids' households are offered.
    steward_grids = grid_family(
        RoleAssignment.objects.filter(role=Role.RED_STEWARD, grid__community=community).values_list("grid_id", flat=True)
    )
    households = Household.objects.filter(dwelling__grid_id__in=steward_grids).select_related("dwelling").order_by("dwelling__path")
    link_form = forms.StewardLinkForm(
        request.POST if request.POST.get("form") == "steward" else None, stewards=stewards, households=households
    )

    def page():
        names = dict(CareTag.objects.values_list("code", "name"))
        return render(
            request,
            "gridwork/settings.html",
            {
                "community": community,
                "rule_form": rule_form,
                "freq_form": freq_form,
                "link_form": link_form,
                "frequencies": [(names.get(code, code), days) for code, days in selectors.frequencies(community.pk).items()],
                "links": StewardLink.objects.filter(household__dwelling__community=community).select_related(
                    "steward", "household__dwelling"
                )[:500],
            },
        )

    if request.method != "POST":
        return page()
    here = reverse("gridwork:settings", args=[community.pk])
    which = request.POST.get("form")
    if which == "rule":
        return post_action(
            request,
            form=rule_form,
            call=lambda d: services.rule_save(actor=request.user, community=community, **d),
            success_url=here,
            rerender=page,
        )
    if which == "frequency":
        return post_action(
            request,
            form=freq_form,
            call=lambda d: services.frequency_save(actor=request.user, community=community, **d),
            success_url=here,
            rerender=page,
        )
    if which == "steward":
        return post_action(
            request, form=link_form, call=lambda d: services.steward_link(actor=request.user, **d), success_url=here, rerender=page
        )
    if which == "unlink":
        link = _get(
            StewardLink.objects.filter(household__dwelling__community=community).select_related("household__dwelling__community"),
            request.POST.get("link"),
        )
        from django import forms as django_forms

        return post_action(
            request,
            form=django_forms.Form(request.POST),
            call=lambda d: services.steward_unlink(actor=request.user, link=link),
            success_url=here,
            rerender=page,
        )
    raise Http404


@login_required
def forces(request, grid_pk):
    scope = scope_for(request.user)
    grid = _get(Grid.objects.select_related("community"), grid_pk)
    if not (access.can_view_grid(scope, grid) or scope.can(access.PATROL, grid)):
        raise Http404
    manage = access.can_manage_structure(scope, grid.community)
    form = forms.ForceForm(request.POST or None)

    def page():
        return render(
            request, "gridwork/forces.html", {"grid": grid, "forces": grid.supporting_forces.all(), "form": form if manage else None}
        )

    if request.method != "POST":
        return page()
    if not manage:
        raise Http404
    here = reverse("gridwork:forces", args=[grid.pk])
    if request.POST.get("remove"):
        force = _get(SupportingForce.objects.filter(grid=grid).select_related("grid__community"), request.POST["remove"])
        from django import forms as django_forms

        return post_action(
            request,
            form=django_forms.Form(request.POST),
            call=lambda d: services.force_remove(actor=request.user, force=force),
            success_url=here,
            rerender=page,
        )
    return post_action(
        request, form=form, call=lambda d: services.force_add(actor=request.user, grid=grid, **d), success_url=here, rerender=page
    )
