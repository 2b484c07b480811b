"""Reads for councils: what a user may see, and the public page (no personal data)."""

from django.db.models import Count, Prefetch, QuerySet
from django.http import Http404
from django.utils import timezone

from linli.accounts.scope import scope_for
from linli.councils import access
from linli.councils.models import Council, Meeting, Resolution, Topic, Vote
from linli.registry.models import Place, PlaceKind
from linli.registry.vocabulary import path_prefix


def councils_for(user) -> QuerySet:
    """The councils this user sees, in one query whatever their number."""
    return access.visible_councils(scope_for(user), user).select_related("community", "compound").order_by("community_id", "id")


def _get(qs: QuerySet, pk):
    try:
        return qs.get(pk=pk)
    except (qs.model.DoesNotExist, ValueError, TypeError, OverflowError):
        raise Http404 from None


def access_council(user, pk) -> Council:
    """Fetch + permission in one step; missing and forbidden are the same 404."""
    c = _get(Council.objects.select_related("community", "compound"), pk)
    if not access.can_view(scope_for(user), user, c):
        raise Http404
    return c


def access_topic(user, pk) -> Topic:
    t = _get(Topic.objects.select_related("council__community", "council__compound"), pk)
    if not access.can_view(scope_for(user), user, t.council):
        raise Http404
    return t


def access_meeting(user, pk) -> Meeting:
    m = _get(Meeting.objects.select_related("council__community", "council__compound"), pk)
    if not access.can_view(scope_for(user), user, m.council):
        raise Http404
    return m


def access_vote(user, pk) -> Vote:
    v = _get(Vote.objects.select_related("topic__council__community", "topic__council__compound", "meeting", "compound"), pk)
    if not access.can_view(scope_for(user), user, v.topic.council):
        raise Http404
    return v


def topics_of(council: Council) -> QuerySet:
    return council.topics.annotate(support_count=Count("supports", distinct=True)).order_by("status", "-created_at")


def topic_detail(topic: Topic) -> dict:
    return {
        "records": topic.records.select_related("actor").order_by("created_at", "id"),
        "options": topic.options.all(),
        "votes": topic.votes.select_related("option", "meeting").order_by("-opened_at"),
        "resolution": Resolution.objects.filter(topic=topic).select_related("vote__option").prefetch_related("updates", "projects").first(),
    }


def public_topic(pk) -> Topic:
    """A topic as anyone may read it: no proposer, no comments, no member names."""
    t = _get(
        Topic.objects.select_related("council__community").annotate(support_count=Count("supports", distinct=True)),
        pk,
    )
    t.public_options = list(t.options.all())
    t.public_votes = list(t.votes.filter(status=Vote.Status.CLOSED).select_related("option").order_by("-closed_at"))
    t.public_resolution = Resolution.objects.filter(topic=t).select_related("vote__option").prefetch_related("updates", "projects").first()
    return t


def public_page(community) -> dict:
    councils = Council.objects.filter(community=community)
    return {
        "topics": Topic.objects.filter(council__in=councils, status=Topic.Status.OPEN)
        .annotate(support_count=Count("supports", distinct=True))
        .order_by("-created_at")[:50],
        "meetings": Meeting.objects.filter(council__in=councils, scheduled_at__gte=timezone.now()).order_by("scheduled_at")[:20],
        "resolutions": Resolution.objects.filter(topic__council__in=councils)
        .select_related("topic")
        .prefetch_related(Prefetch("updates"))
        .order_by("-published_at")[:30],
        "closed_votes": Vote.objects.filter(topic__council__in=councils, status=Vote.Status.CLOSED)
        .select_related("topic", "option")
        .order_by("-closed_at")[:20],
    }


def _not_yet_raised(council, days: int) -> QuerySet:
    from datetime import timedelta

    return access.council_appeals(council).filter(
        created_at__gte=timezone.now() - timedelta(days=days), category__isnull=False, topics__isnull=True
    )


def suggested_topics(council, *, days: int = 90, at_least: int = 3) -> list[dict]:
    """Buildings of the council's own places where open appeals of one category keep coming
    back (not yet raised to a council): candidates for a topic. Two queries whatever the
    number of appeals."""
    rows = list(
        _not_yet_raised(council, days)
        .annotate(building=path_prefix("place__path", PlaceKind.BUILDING))
        .values("building", "category_id", "category__name")
        .annotate(n=Count("id"))
        .filter(n__gte=at_least)
        .order_by("-n")[:20]
    )
    names = dict(Place.objects.filter(path__in=[r["building"] for r in rows]).values_list("path", "address"))
    return [{**r, "place": names.get(r["building"], "")} for r in rows]


def appeals_for_suggestion(council, building_path: str, category_id: int, *, days: int = 90) -> QuerySet:
    return _not_yet_raised(council, days).filter(place__path__startswith=building_path, category_id=category_id)


def vote_compounds(council) -> QuerySet:
    """The compounds whose owners a council may ask (民法典第二百七十八条): its own compound, or,
    for a community's council, each compound of the community."""
    if council.compound_id:
        return Place.objects.filter(pk=council.compound_id)
    return Place.objects.filter(kind=PlaceKind.COMPOUND, community_id=council.community_id).order_by("path")
