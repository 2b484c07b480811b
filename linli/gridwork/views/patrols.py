"""Patrols, and the findings a patrol or a visit turns into in one tap (随手记 and the rest)."""

from __future__ import annotations

import uuid

from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from linli.accounts.scope import scope_for
from linli.core.errors import post_action
from linli.gridwork import access, forms, selectors, services
from linli.gridwork.models import Finding, Patrol
from linli.gridwork.views.common import _get, _source
from linli.registry.models import Place, PlaceKind
from linli.registry.vocabulary import compound_path

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
