"""Every appeal read beyond a plain get, scoped by the user's Scope."""

from __future__ import annotations

from django.db.models import Count, IntegerField, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.http import Http404
from django.utils import timezone

from linli.accounts.scope import Scope
from linli.appeals import access
from linli.appeals.models import OPEN_STATES, Appeal, Category, Event, Status, Support
from linli.registry.models import Place, PlaceKind
from linli.registry.vocabulary import building_path


def access_appeal(scope: Scope, pk) -> Appeal:
    """Fetch + permission in one step; missing and forbidden are the same 404."""
    try:
        return access.visible_appeals(scope).select_related("place", "category", "grid", "reporter", "merged_into", "community").get(pk=pk)
    except (Appeal.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def appeal_list(scope: Scope, *, status: str = "", overdue: bool = False, level: str = "", query: str = "") -> QuerySet:
    qs = access.visible_appeals(scope)
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
    return with_support_count(qs.select_related("place", "category", "grid")).order_by("-created_at", "-id")


def with_support_count(qs: QuerySet) -> QuerySet:
    """附议 counted per row by a subquery, not by joining supports and grouping: a page then sorts
    and cuts the appeals themselves and counts supports for its 50 rows only."""
    supports = Support.objects.filter(appeal=OuterRef("pk")).order_by().values("appeal").annotate(n=Count("*")).values("n")
    return qs.annotate(support_count=Coalesce(Subquery(supports, output_field=IntegerField()), 0))


def appeal_timeline(appeal: Appeal, *, public_only: bool) -> QuerySet:
    qs = appeal.events.select_related("actor").prefetch_related("photos")
    return qs.filter(public=True) if public_only else qs


def similar_open_appeals(place: Place, *, category: Category | None = None, limit: int = 5) -> QuerySet:
    """Open appeals at the same building (or compound) — shown before a resident submits."""
    anchor_path = building_path(place.path) if place.kind in (PlaceKind.UNIT, PlaceKind.DWELLING) else place.path
    qs = Appeal.objects.filter(place__path__startswith=anchor_path, status__in=OPEN_STATES, merged_into__isnull=True)
    if category is not None:
        qs = qs.filter(category=category)
    return with_support_count(qs.select_related("category")).order_by("-created_at")[:limit]


def public_appeals() -> QuerySet:
    """结果公示: what anyone may read — resolved and closed appeals that stand on their own (not
    merged). Pages and Open311 show only category, place down to the building, dates and the
    staff's result (redacted), never the resident's words."""
    return Appeal.objects.filter(status__in=[Status.RESOLVED, Status.CLOSED], merged_into__isnull=True)


def public_board(community: Place) -> QuerySet:
    return (
        public_appeals()
        .filter(community=community)
        .select_related("category", "place")
        .only(
            "number",
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
    return access.reportable_places(scope).filter(kind=PlaceKind.BUILDING).order_by("path")


def merge_target(scope: Scope, number: str) -> Appeal | None:
    return access.dispatchable_appeals(scope).filter(number=(number or "").strip()[:24]).first()


# ---- the place picker of the reporting page (public: place names are on the QR posters) -------

PICKABLE = (PlaceKind.COMPOUND, PlaceKind.BUILDING, PlaceKind.UNIT)


def reporting_communities() -> QuerySet:
    return Place.objects.filter(kind=PlaceKind.COMMUNITY).order_by("path").only("name", "path")


def reporting_children(parent_id) -> list[Place]:
    """Compounds of a community, buildings of a compound, units of a building."""
    try:
        parent = Place.objects.get(pk=int(parent_id), kind__in=(PlaceKind.COMMUNITY, PlaceKind.COMPOUND, PlaceKind.BUILDING))
    except (Place.DoesNotExist, TypeError, ValueError, OverflowError):
        return []
    return list(
        Place.objects.filter(path__startswith=parent.path, depth=parent.depth + 1, kind__in=PICKABLE).order_by("path").only("name", "kind")
    )


def compounds_near(lat: float, lng: float, *, limit: int = 5, within_km: float = 3.0) -> list[Place]:
    """The nearest compounds that have coordinates (equirectangular distance: exact enough
    within a few kilometres), nearest first."""
    import math
    from decimal import Decimal

    box = Decimal(str(within_km / 111.0))
    lat_d, lng_d = Decimal(str(lat)), Decimal(str(lng))
    candidates = Place.objects.filter(
        kind=PlaceKind.COMPOUND,
        latitude__range=(lat_d - box, lat_d + box),
        longitude__range=(lng_d - box * 2, lng_d + box * 2),
    ).only("name", "address", "latitude", "longitude")
    scored = []
    for p in candidates:
        dx = (float(p.longitude) - lng) * 111.0 * math.cos(math.radians(lat))
        dy = (float(p.latitude) - lat) * 111.0
        distance = math.hypot(dx, dy)
        if distance <= within_km:
            p.distance_m = int(distance * 1000)
            scored.append(p)
    return sorted(scored, key=lambda p: p.distance_m)[:limit]


# ---- the handler's inbox (待办) -------------------------------------------------------------------

INBOX_TABS = ("pending", "in_hand", "due_soon", "overdue", "to_accept", "to_dispatch")
DUE_SOON = 24  # hours before the completion deadline


def _mine(scope: Scope, states):
    from linli.appeals.models import Assignment

    q = Q(user_id=scope.user_id)
    if scope.organisation_ids:
        q |= Q(organisation_id__in=sorted(scope.organisation_ids))
    # An IN over the user's assignments (hashed once), not an EXISTS run for every open appeal.
    return Q(pk__in=Assignment.objects.filter(q, state__in=states).values("appeal_id"))


def _inbox_filters(scope: Scope) -> dict[str, Q]:
    """Each tab as a condition on open appeals: what is assigned to the user (or their
    organisation), and for those who dispatch, what waits for them in their reach."""
    from datetime import timedelta

    from linli.appeals.models import Assignment

    now = timezone.now()
    pending = Q(_mine(scope, [Assignment.State.PENDING]), status=Status.DISPATCHED)
    in_hand = Q(_mine(scope, [Assignment.State.SIGNED]), status=Status.IN_PROGRESS)
    handling = pending | in_hand
    dispatch = scope.q(Appeal, access.DISPATCH_APPEALS) if scope.has(access.DISPATCH_APPEALS) else Q(pk__in=[])
    watched = handling | (dispatch & Q(status__in=[Status.DISPATCHED, Status.IN_PROGRESS]))
    return {
        "pending": pending,
        "in_hand": in_hand,
        "due_soon": watched & Q(complete_deadline__gte=now, complete_deadline__lt=now + timedelta(hours=DUE_SOON)),
        "overdue": (watched | (dispatch & Q(status__in=OPEN_STATES - {Status.SUBMITTED}))) & Q(complete_deadline__lt=now),
        "to_accept": dispatch & Q(status=Status.SUBMITTED),
        "to_dispatch": dispatch & Q(status__in=[Status.ACCEPTED, Status.RETURNED, Status.ESCALATED, Status.REOPENED]),
    }


def inbox_counts(scope: Scope) -> dict[str, int]:
    """Every tab's count in one query."""
    if scope.user_id is None:
        return dict.fromkeys(INBOX_TABS, 0)
    filters = _inbox_filters(scope)
    # Each tab counts with its own filter; the base is only narrowed, never filtered by their OR
    # (which would send PostgreSQL to the table instead of the open appeals' index).
    base = Appeal.objects.filter(status__in=OPEN_STATES)
    if not scope.everywhere(access.DISPATCH_APPEALS):
        # The badge is on every page: narrow to the few candidates first (what is assigned to
        # the user, and the open appeals of the communities they dispatch in), then count the
        # tabs over those alone, instead of testing every open appeal of the district.
        base = base.filter(pk__in=_inbox_candidates(scope))
    return base.aggregate(**{tab: Count("pk", filter=q) for tab, q in filters.items()})


def _inbox_candidates(scope: Scope) -> list[int]:
    from linli.appeals.models import Assignment
    from linli.registry.access import community_ids

    q = Q(user_id=scope.user_id)
    if scope.organisation_ids:
        q |= Q(organisation_id__in=sorted(scope.organisation_ids))
    mine = Assignment.objects.filter(q, state__in=[Assignment.State.PENDING, Assignment.State.SIGNED]).values_list("appeal_id", flat=True)
    ids = set(mine)
    if scope.has(access.DISPATCH_APPEALS):
        communities = sorted(community_ids(scope, access.DISPATCH_APPEALS))
        ids |= set(Appeal.objects.filter(community_id__in=communities, status__in=OPEN_STATES).values_list("pk", flat=True))
    return sorted(ids)


def inbox(scope: Scope, tab: str) -> QuerySet:
    q = _inbox_filters(scope)[tab]
    return (
        Appeal.objects.filter(status__in=OPEN_STATES)
        .filter(q)
        .select_related("place", "category")
        .order_by(_deadline_first(), "-created_at")
    )


def _deadline_first():
    from django.db.models import F

    return F("complete_deadline").asc(nulls_last=True)
