"""The community's structure set up by its staff, not by the administrator in /admin/: grids and
micro-grids, their buildings, the people who work in them, organisations and the compounds they
serve, the party tree. Thin: every change is a service with an audit row; who may is
``access.can_manage_places`` (the same 404 for missing and forbidden)."""

from __future__ import annotations

from django import forms as django_forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _

from linli.accounts.models import Role, RoleAssignment
from linli.accounts.scope import scope_for
from linli.core.errors import post_action
from linli.registry import access, forms, selectors, services
from linli.registry.models import (
    PARTY_LEVEL_ANCHOR,
    Grid,
    Household,
    Organisation,
    PartyOrganisation,
    PartyOrgKind,
    Place,
    PlaceKind,
    party_child_kind,
)
from linli.registry.services import roles
from linli.registry.vocabulary import compound_path, grid_family, street_path


def _get(qs, pk):
    try:
        return qs.get(pk=pk)
    except (qs.model.DoesNotExist, ValueError, TypeError, OverflowError):
        raise Http404 from None


def _managed_community(request, scope) -> Place:
    """The community named by ?community= (or the only/first one this user manages)."""
    managed = selectors.managed_communities(scope)
    wanted = request.POST.get("community") or request.GET.get("community")
    if wanted:
        return _get(managed, wanted)
    community = managed.first()
    if community is None:
        raise Http404
    return community


def _managed_grid(request, pk) -> Grid:
    scope = scope_for(request.user)
    return selectors.access_grid(scope, pk, access.MANAGE_PLACES)


# ---- grids ----------------------------------------------------------------------------------------


@login_required
def grid_new(request):
    scope = scope_for(request.user)
    community = _managed_community(request, scope)
    parents = Grid.objects.filter(community=community, parent__isnull=True).order_by("code")
    form = forms.GridForm(request.POST or None, parents=parents, initial={"code": community.code})

    def page():
        return render(request, "registry/grid_form.html", {"form": form, "community": community, "grid": None})

    if request.method != "POST":
        return page()
    return post_action(
        request,
        form=form,
        call=lambda d: services.grid_create(actor=request.user, community=community, **d),
        success_url=lambda grid: reverse("registry:grid", args=[grid.pk]),
        rerender=page,
        ok=None,
    )


@login_required
def grid_edit(request, pk):
    grid = _managed_grid(request, pk)
    parents = Grid.objects.filter(community_id=grid.community_id, parent__isnull=True).exclude(pk=grid.pk).order_by("code")
    initial = {"name": grid.name, "kind": grid.kind, "parent": grid.parent_id, "description": grid.description}
    form = forms.GridForm(request.POST or None, parents=parents, editing=True, initial=initial)

    def page():
        return render(request, "registry/grid_form.html", {"form": form, "community": grid.community, "grid": grid})

    if request.method != "POST":
        return page()
    return post_action(
        request,
        form=form,
        call=lambda d: services.grid_update(actor=request.user, grid=grid, **d),
        success_url=reverse("registry:grid", args=[grid.pk]),
        rerender=page,
    )


@login_required
def grid_buildings(request, pk):
    """Move buildings into this grid (a building leaves a grid by being moved into another)."""
    grid = _managed_grid(request, pk)
    form = forms.GridBuildingsForm(request.POST or None, buildings=selectors.buildings_outside(grid))

    def page():
        inside = Place.objects.filter(grid=grid, kind=PlaceKind.BUILDING).order_by("path")
        return render(request, "registry/grid_buildings.html", {"form": form, "grid": grid, "inside": inside})

    if request.method != "POST":
        return page()
    return post_action(
        request,
        form=form,
        call=lambda d: services.grid_assign_buildings(actor=request.user, grid=grid, buildings=d["buildings"]),
        success_url=reverse("registry:grid_buildings", args=[grid.pk]),
        rerender=page,
    )


@login_required
def grid_people(request, pk):
    """Grid workers (full-time or not), the grid leader, red stewards and building heads."""
    grid = _managed_grid(request, pk)
    buildings = Place.objects.filter(grid_id__in=grid_family(grid), kind=PlaceKind.BUILDING).order_by("path")
    add_form = forms.GridPersonForm(request.POST if request.POST.get("op") == "add" else None, buildings=buildings)
    here = reverse("registry:grid_people", args=[grid.pk])

    def page():
        people = selectors.grid_people(grid)
        full_time = sum(1 for a in people if a.role == Role.GRID_WORKER and a.full_time and a.grid_id == grid.pk)
        return render(request, "registry/grid_people.html", {"grid": grid, "people": people, "form": add_form, "full_time": full_time})

    if request.method != "POST":
        return page()
    op = request.POST.get("op")
    if op == "add":

        def add(d):
            building_head = d["role"] == Role.BUILDING_HEAD
            if building_head and d["building"] is None:
                raise ValidationError({"building": _("楼栋长请选择楼栋。")})
            return roles.person_assign(
                actor=request.user,
                role=d["role"],
                username=d["username"],
                display_name=d["display_name"],
                password=d["password"],
                grid=None if building_head else grid,
                place=d["building"] if building_head else None,
                full_time=d["full_time"] if d["role"] == Role.GRID_WORKER else True,
                community=grid.community,
            )

        return post_action(request, form=add_form, call=add, success_url=here, rerender=page)
    if op in ("remove", "full_time", "part_time"):
        mine = RoleAssignment.objects.filter(pk__in=[a.pk for a in selectors.grid_people(grid)]).select_related("grid__community", "place")
        assignment = _get(mine, request.POST.get("assignment"))
        if op == "remove":
            call = lambda d: roles.role_remove(actor=request.user, assignment=assignment)  # noqa: E731
        else:
            call = lambda d: roles.role_set_full_time(actor=request.user, assignment=assignment, full_time=op == "full_time")  # noqa: E731
        return post_action(request, form=django_forms.Form(request.POST), call=call, success_url=here, rerender=page)
    raise Http404


# ---- organisations ---------------------------------------------------------------------------------


def _compounds(community: Place):
    return Place.objects.filter(community=community, kind=PlaceKind.COMPOUND).order_by("path")


@login_required
def organisations(request):
    scope = scope_for(request.user)
    community = _managed_community(request, scope)
    form = forms.OrganisationForm(request.POST or None, compounds=_compounds(community))

    def page():
        orgs = (
            Organisation.objects.filter(place=community)
            .prefetch_related("served_compounds", selectors.current_cross_appointments_prefetch())
            .order_by("kind", "name")
        )
        return render(
            request,
            "registry/organisations.html",
            {"community": community, "organisations": orgs, "form": form, "communities": selectors.managed_communities(scope)},
        )

    if request.method != "POST":
        return page()
    return post_action(
        request,
        form=form,
        call=lambda d: services.organisation_create(actor=request.user, place=community, **d),
        success_url=f"{reverse('registry:organisations')}?community={community.pk}",
        rerender=page,
    )


@login_required
def organisation_edit(request, pk):
    scope = scope_for(request.user)
    org = _get(access.organisations(scope, access.MANAGE_PLACES).filter(place__kind=PlaceKind.COMMUNITY).select_related("place"), pk)
    initial = {f: getattr(org, f) for f in ("kind", "name", "contact_name", "contact_phone", "address")}
    initial["served_compounds"] = list(org.served_compounds.values_list("pk", flat=True))
    form = forms.OrganisationForm(request.POST or None, compounds=_compounds(org.place), initial=initial)

    def page():
        return render(request, "registry/organisation_form.html", {"organisation": org, "form": form})

    if request.method != "POST":
        return page()
    return post_action(
        request,
        form=form,
        call=lambda d: services.organisation_update(actor=request.user, organisation=org, **d),
        success_url=f"{reverse('registry:organisations')}?community={org.place_id}",
        rerender=page,
    )


# ---- the party tree ------------------------------------------------------------------------------------


@login_required
def party(request, community_pk):
    """The tree, the levels the community uses, and the first node when there is none."""
    scope = scope_for(request.user)
    community = _get(selectors.managed_communities(scope), community_pk)
    levels = services.party_levels(community)
    levels_form = forms.PartyLevelsForm(request.POST if request.POST.get("op") == "levels" else None, initial={"levels": levels})
    here = reverse("registry:party", args=[community.pk])

    cross_form = forms.CrossAppointmentForm(
        request.POST if request.POST.get("op") == "cross" else None,
        nodes=PartyOrganisation.objects.filter(community=community).order_by("path"),
        organisations=Organisation.objects.filter(place=community, kind__in=services.party.CROSS_KINDS).order_by("kind", "name"),
    )

    def page():
        nodes = selectors.party_tree(community)
        crossing = selectors.cross_appointments(community)
        for n in nodes:
            n.crossing = [a for a in crossing if a.party_organisation_id == n.pk]
            n.child_kind = party_child_kind(levels, n.kind)
            n.child_label = PartyOrgKind(n.child_kind).label if n.child_kind else ""
            n.mine = n.community_id == community.pk
        has_root = any(n.kind == PartyOrgKind.COMMITTEE for n in nodes)
        street_committee = next((n for n in nodes if n.kind == PartyOrgKind.STREET_COMMITTEE), None)
        return render(
            request,
            "registry/party.html",
            {
                "community": community,
                "nodes": nodes,
                "levels": [PartyOrgKind(k).label for k in levels],
                "levels_form": levels_form,
                "has_root": has_root,
                "street_committee": street_committee,
                "uses_street": PartyOrgKind.STREET_COMMITTEE in levels,
                "cross_form": cross_form,
                "crossing": crossing,
            },
        )

    if request.method != "POST":
        return page()
    if request.POST.get("op") == "levels":
        return post_action(
            request,
            form=levels_form,
            call=lambda d: services.party_levels_save(actor=request.user, community=community, levels=d["levels"]),
            success_url=here,
            rerender=page,
        )
    if request.POST.get("op") == "cross":
        return post_action(
            request,
            form=cross_form,
            call=lambda d: services.cross_appointment_add(actor=request.user, **d),
            success_url=here,
            rerender=page,
            ok=_("交叉任职已登记，在党组织和单位两边都会显示。"),
        )
    raise Http404


@login_required
def party_life(request, community_pk):
    """三会一课: the branches' meetings and lessons, with topics and attendance, and a record form."""
    scope = scope_for(request.user)
    community = _get(selectors.managed_communities(scope), community_pk)
    form = forms.BranchMeetingForm(
        request.POST or None,
        nodes=PartyOrganisation.objects.filter(community=community).order_by("path"),
        members=selectors.party_members(community),
    )

    def page():
        return render(
            request,
            "registry/party_life.html",
            {"community": community, "form": form, "meetings": selectors.branch_meetings(community)[:30]},
        )

    if request.method != "POST":
        return page()
    return post_action(
        request,
        form=form,
        call=lambda d: services.branch_meeting_record(actor=request.user, **d),
        success_url=reverse("registry:party_life", args=[community.pk]),
        rerender=page,
        ok=_("已记录。"),
    )


def _label(field: str) -> str:
    return PartyOrganisation._meta.get_field(field).verbose_name


def _anchor_choices(kind: str, community: Place, parent: PartyOrganisation | None):
    """What a node of this level is attached to, offered from under its parent: (choices,
    label, how to name one), or (None, "", str) when the level needs nothing."""
    need = PARTY_LEVEL_ANCHOR[kind]
    grid_ids = grid_family(parent.grid_id) if parent is not None and parent.grid_id else None
    if need == "grid":
        qs = Grid.objects.filter(community=community, parent__isnull=True).order_by("code")
        return qs, _label("grid"), lambda g: f"{g.name}（{g.code}）"
    if need == "compound":
        qs = Place.objects.filter(community=community, kind=PlaceKind.COMPOUND)
        if grid_ids:
            paths = Place.objects.filter(kind=PlaceKind.BUILDING, grid_id__in=grid_ids).values_list("path", flat=True)
            qs = qs.filter(path__in={compound_path(p) for p in paths})
        return qs.order_by("path"), _label("compound"), lambda p: p.name
    if need == "building":
        qs = Place.objects.filter(community=community, kind=PlaceKind.BUILDING)
        if parent is not None and parent.compound_id:
            qs = qs.filter(path__startswith=parent.compound.path)
        if grid_ids:
            qs = qs.filter(grid_id__in=grid_ids)
        return qs.order_by("path"), _label("building"), lambda p: p.address or p.name
    if need == "household":
        qs = Household.objects.filter(dwelling__community=community).select_related("dwelling")
        if parent is not None and parent.building_id:
            qs = qs.filter(dwelling__path__startswith=parent.building.path)
        return qs.order_by("dwelling__path"), _label("household"), lambda h: h.dwelling.address
    return None, "", str


@login_required
def party_add(request, community_pk):
    """A node under ?parent= at the next of the community's levels; the community's committee
    at the root; the street's committee (?level=street) by whoever manages the street."""
    scope = scope_for(request.user)
    community = _get(selectors.managed_communities(scope), community_pk)
    street = street_path(community.path)
    parent = None
    if request.GET.get("parent"):
        parent = _get(
            PartyOrganisation.objects.filter(community__path__in=[community.path, street]).select_related("grid", "compound", "building"),
            request.GET["parent"],
        )
    if request.GET.get("level") == "street":
        kind, owner = PartyOrgKind.STREET_COMMITTEE, Place.objects.get(path=street)
    else:
        kind, owner = (party_child_kind(services.party_levels(community), parent.kind) if parent else PartyOrgKind.COMMITTEE), community
    if kind is None:
        raise Http404
    anchors, label, describe = _anchor_choices(kind, community, parent)
    form = forms.PartyNodeForm(request.POST or None, anchors=anchors, anchor_label=label, describe=describe)

    def page():
        context = {"community": community, "parent": parent, "kind_label": PartyOrgKind(kind).label, "form": form}
        return render(request, "registry/party_add.html", context)

    if request.method != "POST":
        return page()

    def call(d):
        chosen = {PARTY_LEVEL_ANCHOR[kind]: d["anchor"]} if d.get("anchor") is not None else {}
        inherited = parent if parent is not None and parent.kind != PartyOrgKind.STREET_COMMITTEE else None
        building = chosen.get("building") or (inherited.building if inherited else None)
        grid = chosen.get("grid") or (inherited.grid if inherited else None) or (building.grid if building is not None else None)
        return services.party_organisation_create(
            actor=request.user,
            parent=parent,
            kind=kind,
            name=d["name"],
            community=owner,
            grid=grid,
            compound=chosen.get("compound") or (inherited.compound if inherited else None),
            building=building,
            household=chosen.get("household"),
        )

    return post_action(request, form=form, call=call, success_url=reverse("registry:party", args=[community.pk]), rerender=page)


@login_required
def party_node(request, pk):
    """Rename a node, or remove one with nothing under it."""
    scope = scope_for(request.user)
    node = _get(access.party_organisations(scope, access.MANAGE_PLACES).select_related("community"), pk)
    form = forms.PartyRenameForm(request.POST if request.POST.get("op") == "rename" else None, initial={"name": node.name})
    back = reverse("registry:party", args=[node.community_id])

    def page():
        return render(
            request,
            "registry/party_node.html",
            {"node": node, "form": form, "children": PartyOrganisation.objects.get_children_count(node)},
        )

    if request.method != "POST":
        return page()
    if request.POST.get("op") == "rename":
        return post_action(
            request,
            form=form,
            call=lambda d: services.party_organisation_update(actor=request.user, node=node, name=d["name"], secretary=node.secretary),
            success_url=back,
            rerender=page,
        )
    if request.POST.get("op") == "delete":
        return post_action(
            request,
            form=django_forms.Form(request.POST),
            call=lambda d: services.party_organisation_delete(actor=request.user, node=node),
            success_url=back,
            rerender=page,
        )
    raise Http404
