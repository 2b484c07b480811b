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
