"""Every appeal read beyond a plain get, scoped by the user's Scope."""

from __future__ import annotations

from django.db.models import Count, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from linli.accounts.scope import Capability, Scope
from linli.appeals.models import OPEN_STATES, Appeal, Category, Event, Status
from linli.registry.models import Place, PlaceKind


def access_appeal(scope: Scope, pk, capability: Capability = Capability.VIEW_APPEALS) -> Appeal:
    """Fetch + permission in one step; missing and forbidden are the same 404."""
    try:
        return scope.appeals(capability=capability).select_related("place", "category", "grid", "reporter", "merged_into").get(pk=pk)
    except (Appeal.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def appeal_list(scope: Scope, *, status: str = "", overdue: bool = False, level: str = "", query: str = "") -> QuerySet:
    qs = scope.appeals()
    if status == "open":
        qs = qs.filter(status__in=OPEN_STATES)
    elif status:
        qs = qs.filter(status=status)
    if level:
        qs = qs.filter(level=level)
    if overdue:
        qs = qs.filter(status__in=OPEN_STATES - {Status.SUBMITTED}, complete_deadline__lt=timezone.now())
    if query:
        qs = qs.filter(Q(number__contains=query) | Q(title__contains=query) | Q(description__contains=query))
    return (
        qs.select_related("place", "category", "grid")
        .annotate(support_count=Count("supports", distinct=True))
        .order_by("-created_at", "-id")
    )


def appeal_timeline(appeal: Appeal, *, public_only: bool) -> QuerySet:
    qs = appeal.events.select_related("actor").prefetch_related("photos")
    return qs.filter(public=True) if public_only else qs


def similar_open_appeals(place: Place, *, category: Category | None = None, limit: int = 5) -> QuerySet:
    """Open appeals at the same building (or compound) — shown before a resident submits."""
    anchor = place
    if place.kind in (PlaceKind.UNIT, PlaceKind.DWELLING):
        step = Place.steplen
        anchor_path = place.path[: step * 5]  # the building: district/street/community/compound/building
    else:
        anchor_path = anchor.path
    qs = Appeal.objects.filter(place__path__startswith=anchor_path, status__in=OPEN_STATES, merged_into__isnull=True)
    if category is not None:
        qs = qs.filter(category=category)
    return qs.select_related("category").annotate(support_count=Count("supports")).order_by("-created_at")[:limit]


def public_board(community: Place) -> QuerySet:
    """结果公示: resolved appeals, no personal data (the template shows only these fields)."""
    return (
        Appeal.objects.filter(community=community, status__in=[Status.RESOLVED, Status.CLOSED], merged_into__isnull=True)
        .select_related("category", "place")
        .only(
            "number",
            "title",
            "category__name",
            "place__address",
            "place__kind",
            "place__name",
            "created_at",
            "resolved_at",
            "result",
            "status",
            "rating",
        )
        .order_by("-resolved_at")
    )


def categories_for(community_id: int | None) -> QuerySet:
    return Category.objects.filter(Q(community_id=community_id) | Q(community__isnull=True), is_active=True).order_by("id")


def confirmed_training_set(*, community_id: int | None):
    """Texts and category codes of appeals whose category a person confirmed (dispatched or later)."""
    from linli.appeals.classifier import Dataset

    qs = Appeal.objects.filter(category__isnull=False).exclude(status__in=[Status.SUBMITTED, Status.REJECTED])
    if community_id:
        qs = qs.filter(community_id=community_id)
    rows = list(qs.values_list("title", "description", "category__code"))
    return Dataset([f"{t} {d}" for t, d, _c in rows], [c for _t, _d, c in rows])


def last_events(appeal: Appeal, n: int = 1) -> list[Event]:
    return list(appeal.events.order_by("-id")[:n])


def reportable_buildings(scope: Scope) -> QuerySet:
    """Buildings where the user may record reports for others (their grid, building, community)."""
    return scope.places(capability=Capability.REPORT_FOR_OTHERS).filter(kind=PlaceKind.BUILDING).order_by("path")
