"""Reads for councils: what a user may see, and the public page (no personal data)."""

from django.db.models import Count, Prefetch, QuerySet
from django.http import Http404
from django.utils import timezone

from linli.councils import services
from linli.councils.models import Council, Meeting, Resolution, Topic, Vote


def councils_for(user) -> list[Council]:
    qs = Council.objects.select_related("community", "compound").order_by("community_id", "id")
    return [c for c in qs if services.is_participant(user, c) or services.is_manager(user, c)]


def access_council(user, pk) -> Council:
    c = Council.objects.select_related("community", "compound").filter(pk=pk).first()
    if c is None or not (services.is_participant(user, c) or services.is_manager(user, c)):
        raise Http404
    return c


def access_topic(user, pk) -> Topic:
    t = Topic.objects.select_related("council__community", "council__compound").filter(pk=pk).first()
    if t is None or not (services.is_participant(user, t.council) or services.is_manager(user, t.council)):
        raise Http404
    return t


def access_meeting(user, pk) -> Meeting:
    m = Meeting.objects.select_related("council__community").filter(pk=pk).first()
    if m is None or not (services.is_participant(user, m.council) or services.is_manager(user, m.council)):
        raise Http404
    return m


def topics_of(council: Council) -> QuerySet:
    return council.topics.annotate(support_count=Count("supports", distinct=True)).order_by("status", "-created_at")


def topic_detail(topic: Topic) -> dict:
    return {
        "records": topic.records.select_related("actor").order_by("created_at", "id"),
        "options": topic.options.all(),
        "votes": topic.votes.select_related("option", "meeting").order_by("-opened_at"),
        "resolution": Resolution.objects.filter(topic=topic).prefetch_related("updates").first(),
    }


def public_page(community) -> dict:
    councils = Council.objects.filter(community=community)
    return {
        "topics": Topic.objects.filter(council__in=councils, status=Topic.Status.OPEN)
        .annotate(support_count=Count("supports"))
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


def suggested_topics(community, *, days: int = 90, at_least: int = 3) -> list[dict]:
    """Buildings where appeals of one category keep coming back (not yet raised to a council):
    candidates for a topic. Two queries whatever the number of appeals."""
    from datetime import timedelta

    from django.db.models.functions import Substr

    from linli.appeals.models import Appeal
    from linli.registry.models import Place

    width = Place.steplen * 5  # district/street/community/compound/building
    rows = list(
        Appeal.objects.filter(
            community=community,
            created_at__gte=timezone.now() - timedelta(days=days),
            category__isnull=False,
            merged_into__isnull=True,
            topics__isnull=True,
        )
        .annotate(building=Substr("place__path", 1, width))
        .values("building", "category_id", "category__name")
        .annotate(n=Count("id"))
        .filter(n__gte=at_least)
        .order_by("-n")[:20]
    )
    names = dict(Place.objects.filter(path__in=[r["building"] for r in rows]).values_list("path", "address"))
    return [{**r, "place": names.get(r["building"], "")} for r in rows]


def appeals_for_suggestion(community, building_path: str, category_id: int, *, days: int = 90):
    from datetime import timedelta

    from linli.appeals.models import Appeal

    return Appeal.objects.filter(
        community=community,
        place__path__startswith=building_path,
        category_id=category_id,
        created_at__gte=timezone.now() - timedelta(days=days),
        merged_into__isnull=True,
        topics__isnull=True,
    )
