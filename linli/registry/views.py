"""Thin views: ask the scope and selectors, call services, render."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from linli.accounts.scope import scope_for
from linli.core import offers
from linli.core.files import private_download
from linli.core.models import AuditEntry
from linli.registry import access, excel, selectors, services
from linli.registry.forms import ImportForm, ResidentForm
from linli.registry.models import ImportJob

PER_PAGE_CHOICES = (50, 100, 500)


def _scope(request, capability=access.VIEW_REGISTRY):
    scope = scope_for(request.user)
    if not scope.has(capability):
        raise Http404
    return scope


def _per_page(request) -> int:
    try:
        value = int(request.GET.get("per_page", 50))
    except ValueError:
        return 50
    return value if value in PER_PAGE_CHOICES else 50


@login_required
def place_tree(request, pk=None):
    scope = _scope(request)
    if pk is None:
        roots = selectors.place_roots(scope)
        return render(request, "registry/place_tree.html", {"place": None, "children": roots, "ancestors": []})
    place = selectors.access_place(scope, pk)
    context = {
        "place": place,
        "may_open_grid": bool(place.grid_id) and scope.can(access.VIEW_REGISTRY, place.grid),
        "ancestors": selectors.place_ancestors(scope, place),
        "children": selectors.place_children(scope, place),
        "summary": selectors.place_summary(scope, place),
        "facilities": selectors.facilities_at(scope, place)[:200],
        "organisations": selectors.organisations_at(scope, place)[:200],
    }
    if request.htmx and request.GET.get("fragment") == "children":
        return render(request, "registry/_place_children.html", context)
    return render(request, "registry/place_tree.html", context)


@login_required
def grid_list(request):
    """The grids in reach; comprehensive grids without exactly one full-time grid worker are
    flagged; staff get the links to set the community up."""
    scope = _scope(request)
    grids = list(selectors.grid_list(scope))
    counts = selectors.full_time_counts({g.community_id for g in grids})
    for g in grids:
        g.full_time = counts.get(g.pk, 0)
        g.flagged = g.kind == "comprehensive" and g.full_time != 1
    managed = list(selectors.managed_communities(scope)) if scope.has(access.MANAGE_PLACES) else []
    return render(request, "registry/grid_list.html", {"grids": grids, "managed": managed, "flagged": sum(g.flagged for g in grids)})


@login_required
def grid_detail(request, pk):
    scope = _scope(request)
    grid = selectors.access_grid(scope, pk)
    residents = selectors.resident_list(scope, grid=grid, query=request.GET.get("q", ""))
    page = Paginator(residents, _per_page(request)).get_page(request.GET.get("page"))
    return render(
        request,
        "registry/grid_detail.html",
        {
            "grid": grid,
            "staff": selectors.grid_staff(grid),
            "buildings": selectors.grid_buildings(scope, grid),
            "party": selectors.grid_party_organisations(scope, grid),
            "page": page,
            "manage": access.can_manage_places(scope, grid.community),
            "offers": offers.offers(offers.GRID_PAGE, scope=scope, user=request.user, grid=grid),
        },
    )


def _search(request, scope, query: str):
    """Whole phone or ID numbers in a search are audited and rate-limited (a masked number plus
    a guess is an oracle); the result count, never the number, goes into the log."""
    kind = selectors.full_number_kind(query)
    qs = selectors.resident_list(scope, query=query, care_tag=request.GET.get("tag", ""))
    if kind:
        try:
            services.resident_search_record(actor=request.user, kind=kind, results=qs.count())
        except services.SearchThrottled as e:
            messages.error(request, str(e.args[0]))
            return qs.none(), 429
    return qs, 200


@login_required
def resident_list(request):
    scope = _scope(request)
    query = request.GET.get("q", "")
    tag = request.GET.get("tag", "")
    residents, status = _search(request, scope, query)
    page = Paginator(residents, _per_page(request)).get_page(request.GET.get("page"))
    context = {
        "page": page,
        "q": query,
        "tag": tag,
        "tags": selectors.care_tags(scope),
        "per_page": _per_page(request),
        "per_page_choices": PER_PAGE_CHOICES,
    }
    if request.htmx:
        return render(request, "registry/_resident_rows.html", context, status=status)
    return render(request, "registry/resident_list.html", context, status=status)


@login_required
def household_detail(request, pk):
    from linli.registry.models import Household

    scope = scope_for(request.user)
    household = selectors.access_own_or_registry(scope, Household, pk)
    return render(
        request,
        "registry/household_detail.html",
        {
            "household": household,
            "members": selectors.household_members(scope, household),
            "can_edit": access.can_edit(scope, household),
        },
    )


@login_required
def resident_detail(request, pk):
    from linli.registry.models import Resident

    scope = scope_for(request.user)
    resident = selectors.access_own_or_registry(scope, Resident, pk)
    can_edit = access.can_edit(scope, resident)
    return render(
        request,
        "registry/resident_detail.html",
        {
            "resident": resident,
            "offers": offers.offers(offers.RESIDENT_PAGE, scope=scope, user=request.user, resident=resident),
            "can_edit": can_edit,
            "can_reveal_id": access.can_reveal(scope, resident, "id_number"),
            "can_reveal_phone": access.can_reveal(scope, resident, "phone"),
            "show_care": access.can_see_care(scope, resident),
            "history": AuditEntry.objects.filter(target_type="registry.resident", target_id=str(resident.pk)).select_related("actor")[:20]
            if can_edit
            else [],
        },
    )


@login_required
@require_POST
def resident_reveal(request, pk, field):
    scope = scope_for(request.user)
    resident = selectors.access_resident(scope, pk)
    try:
        value = services.resident_reveal(actor=request.user, resident=resident, field=field)
    except (PermissionDenied, ValidationError):
        raise Http404 from None
    return render(request, "registry/_revealed.html", {"value": value, "field": field})


@login_required
def resident_edit(request, pk=None, household_pk=None):
    scope = _scope(request, access.EDIT_REGISTRY)
    resident = selectors.access_resident(scope, pk, access.EDIT_REGISTRY) if pk else None
    household = resident.household if resident else selectors.access_household(scope, household_pk, access.EDIT_REGISTRY)
    tags = selectors.care_tags()
    initial = {}
    if resident:
        initial = {
            "name": resident.name,
            "gender": resident.gender,
            "relationship": resident.relationship,
            "registration": resident.registration,
            "care_tags": [str(t.pk) for t in resident.care_tags.all()],
        }
    form = ResidentForm(request.POST or None, initial=initial, tag_choices=[(str(t.pk), t.name) for t in tags])
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        chosen_ids = set(data.pop("care_tags"))
        chosen = [t for t in tags if str(t.pk) in chosen_ids]
        # Blank sensitive fields on edit mean "unchanged": the form never shows them in clear.
        if resident:
            for field in ("id_number", "phone"):
                if not data[field]:
                    data.pop(field)
        try:
            if resident:
                resident = services.resident_update(actor=request.user, resident=resident, care_tags=chosen, **data)
            else:
                resident = services.resident_create(actor=request.user, household=household, care_tags=chosen, **data)
        except ValidationError as e:
            for field, errs in e.message_dict.items():
                form.add_error(field if field in form.fields else None, errs)
        else:
            messages.success(request, _("已保存。"))
            return redirect("registry:resident", pk=resident.pk)
    return render(request, "registry/resident_form.html", {"form": form, "resident": resident, "household": household})


@login_required
def import_start(request):
    scope = _scope(request, access.IMPORT)
    communities = list(access.communities(scope, access.IMPORT))
    form = ImportForm(request.POST or None, request.FILES or None, communities=communities)
    if request.method == "POST" and form.is_valid():
        community = next(c for c in communities if str(c.pk) == form.cleaned_data["community"])
        try:
            job = services.import_job_create(actor=request.user, community=community, upload=form.cleaned_data["file"])
        except ValidationError as e:
            for field, errs in e.message_dict.items():
                form.add_error(field if field in form.fields else None, errs)
        else:
            return redirect("registry:import_status", pk=job.pk)
    jobs = ImportJob.objects.filter(created_by=request.user)[:10]
    return render(request, "registry/import_start.html", {"form": form, "jobs": jobs})


@login_required
def import_status(request, pk):
    _scope(request, access.IMPORT)
    job = get_object_or_404(ImportJob.objects.select_related("community"), pk=pk, created_by=request.user)
    template = "registry/_import_progress.html" if request.htmx else "registry/import_status.html"
    return render(request, template, {"job": job})


@login_required
def import_template(request):
    _scope(request, access.IMPORT)
    return _xlsx(excel.template_workbook(), "linli-residents-template.xlsx")


@login_required
def export_residents(request):
    scope = _scope(request, access.EXPORT)
    grid = selectors.access_grid(scope, request.GET["grid"], access.EXPORT) if request.GET.get("grid") else None
    content, _count = services.residents_export(actor=request.user, grid=grid)
    name = f"linli-residents-{timezone.localtime():%Y%m%d-%H%M}.xlsx"
    return _xlsx(content, name)


def _xlsx(content: bytes, filename: str) -> HttpResponse:
    return private_download(content, filename=filename, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
