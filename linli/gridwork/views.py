"""Thin views over grid-work selectors and services; phone pages for grid workers, stewards and
leaders, tables (cards on a phone) for staff."""

from __future__ import annotations

import uuid

from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from linli.accounts.models import Role, RoleAssignment, User
from linli.accounts.scope import scope_for
from linli.core.errors import post_action
from linli.gridwork import access, forms, selectors, services
from linli.gridwork.models import Finding, GridworkRule, Patrol, Round, StewardLink, SupportingForce, Visit
from linli.registry.models import CareTag, Grid, Household, Place, PlaceKind
from linli.registry.vocabulary import compound_path, grid_families, grid_family, home_community


def _get(qs, pk):
    try:
        return qs.get(pk=pk)
    except (qs.model.DoesNotExist, ValueError, TypeError, OverflowError):
        raise Http404 from None


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


# ---- patrols ------------------------------------------------------------------------------------------------


@login_required
def patrol_start(request):
    """Start a patrol: from the compound's QR poster (?place=…&qr=1) or the list on the day page."""
    scope = scope_for(request.user)
    if not access.can_patrol(scope):
        raise Http404
    place_id = request.POST.get("place") or request.GET.get("place")
    compound = _get(Place.objects.filter(kind=PlaceKind.COMPOUND), place_id)
    if access.patrol_grid_for(scope, compound) is None:
        raise Http404
    if request.method != "POST":
        return render(
            request,
            "gridwork/patrol_start.html",
            {"compound": compound, "open_patrol": selectors.open_patrol(request.user), "qr": bool(request.GET.get("qr"))},
        )
    return post_action(
        request,
        form=forms.PatrolStartForm(request.POST),
        call=lambda d: services.patrol_start(
            actor=request.user, compound=compound, latitude=d["latitude"], longitude=d["longitude"], by_qr=bool(request.GET.get("qr"))
        ),
        success_url=lambda patrol: reverse("gridwork:patrol", args=[patrol.pk]),
        rerender=lambda: render(request, "gridwork/patrol_start.html", {"compound": compound}),
        ok=_("巡查开始，结束时请点“结束巡查”。"),
    )


def _own_patrol(request, pk) -> Patrol:
    scope = scope_for(request.user)
    qs = Patrol.objects.select_related("compound", "grid").filter(worker=request.user) | scope.filter(
        Patrol.objects.select_related("compound", "grid"), access.VIEW_GRIDWORK
    )
    return _get(qs, pk)


@login_required
def patrol(request, pk):
    p = _own_patrol(request, pk)
    return render(
        request,
        "gridwork/patrol.html",
        {
            "patrol": p,
            "mine": p.worker_id == request.user.pk,
            "findings": p.findings.select_related("appeal", "topic", "wish", "sentiment", "order"),
        },
    )


@login_required
@require_POST
def patrol_end(request, pk):
    p = _own_patrol(request, pk)
    return post_action(
        request,
        form=forms.PatrolEndForm(request.POST),
        call=lambda d: services.patrol_end(actor=request.user, patrol=p, note=d["note"], latitude=d["latitude"], longitude=d["longitude"]),
        success_url=reverse("gridwork:day"),
        rerender=lambda: render(request, "gridwork/patrol.html", {"patrol": p, "mine": True, "findings": p.findings.all()}),
        ok=_("巡查已结束。"),
    )


# ---- findings: one tap from a patrol or a visit ---------------------------------------------------------------


def _source(request):
    """The patrol or visit a finding comes from (one's own)."""
    patrol = visit = None
    if request.GET.get("patrol"):
        patrol = _get(Patrol.objects.filter(worker=request.user).select_related("compound"), request.GET["patrol"])
    if request.GET.get("visit"):
        visit = _get(Visit.objects.filter(worker=request.user).select_related("household__dwelling"), request.GET["visit"])
    return patrol, visit


@login_required
@require_POST
def place_hint(request):
    """The place the typed description names, beside the one chosen on the finding form."""
    patrol, visit = _source(request)
    where = patrol.compound if patrol else (visit.household.dwelling if visit else None)
    if where is None:
        raise Http404
    description = str(request.POST.get("description", ""))[:2000].replace("\x00", "")
    chosen = Place.objects.filter(pk=request.POST.get("place")).first() if str(request.POST.get("place", "")).isdigit() else None
    try:
        place = services.finding_place(description=description, place=chosen, within=where)
        disagree = None
    except ValidationError as e:
        place, disagree = None, e.messages[0]
    return render(
        request, "gridwork/_place_hint.html", {"place": place, "chosen": chosen, "disagree": disagree, "typed": bool(description.strip())}
    )


@login_required
def finding(request, kind):
    scope = scope_for(request.user)
    if kind not in Finding.Kind.values:
        raise Http404
    patrol, visit = _source(request)
    where = patrol.compound if patrol else (visit.household.dwelling if visit else None)
    if where is None:
        raise Http404
    back = reverse("gridwork:patrol", args=[patrol.pk]) if patrol else reverse("gridwork:day")
    if kind == Finding.Kind.APPEAL:
        from linli.appeals import access as appeal_access

        places = appeal_access.reportable_places(scope).filter(path__startswith=compound_path(where.path))
        places = places.filter(kind__in=[PlaceKind.COMPOUND, PlaceKind.BUILDING, PlaceKind.UNIT]).order_by("path")
        form = forms.AppealFindingForm(
            request.POST or None, request.FILES or None, places=places, initial={"place": where.pk, "idempotency_key": uuid.uuid4().hex}
        )
        # As the worker types, the place the text names is suggested (posted, never in a URL).
        form.fields["description"].widget.attrs.update(
            {
                "hx-post": reverse("gridwork:place_hint") + "?" + request.GET.urlencode(),
                "hx-trigger": "input changed delay:600ms, change",
                "hx-target": "#place-hint",
                "hx-include": "closest form",
            }
        )

        def call(d):
            return services.finding_appeal(actor=request.user, patrol=patrol, visit=visit, **d)

    elif kind == Finding.Kind.TOPIC:
        from linli.councils.access import visible_councils

        councils = visible_councils(scope, request.user).filter(community_id=where.community_id or where.pk)
        form = forms.TopicFindingForm(request.POST or None, councils=councils)

        def call(d):
            return services.finding_topic(actor=request.user, patrol=patrol, visit=visit, **d)

    elif kind == Finding.Kind.WISH:
        from linli.wishes.access import residents_postable_for

        residents = residents_postable_for(scope).filter(household__dwelling__path__startswith=compound_path(where.path))
        if visit:
            residents = residents.filter(household=visit.household)
        form = forms.WishFindingForm(
            request.POST or None,
            residents=residents.select_related("household__dwelling").order_by("household__dwelling__path"),
            initial={"title": visit.needs[:60], "description": visit.needs} if visit and visit.needs else None,
        )

        def call(d):
            return services.finding_wish(actor=request.user, patrol=patrol, visit=visit, **d)

    elif kind == Finding.Kind.ORDER:
        from linli.resident_services import access as service_access
        from linli.resident_services import selectors as service_selectors

        residents = service_access.orderable_residents(scope, request.user).filter(
            household__dwelling__path__startswith=compound_path(where.path)
        )
        if visit:
            residents = residents.filter(household=visit.household)
        community_id = where.community_id or where.pk
        form = forms.OrderFindingForm(
            request.POST or None,
            residents=residents.select_related("household__dwelling").order_by("household__dwelling__path"),
            services=service_selectors.active_services(community_id),
            initial={"description": visit.needs[:1000]} if visit and visit.needs else None,
        )

        def call(d):
            return services.finding_order(actor=request.user, patrol=patrol, visit=visit, **d)

    else:
        form = forms.SentimentForm(request.POST or None)

        def call(d):
            target = {"household": visit.household} if visit else {"place": where}
            return services.finding_sentiment(actor=request.user, patrol=patrol, visit=visit, **target, **d)

    page = lambda: render(request, "gridwork/finding.html", {"form": form, "kind": kind, "label": Finding.Kind(kind).label, "where": where})  # noqa: E731
    if request.method != "POST":
        return page()
    return post_action(request, form=form, call=call, success_url=back, rerender=page, ok=_("已记录。"))


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
