"""Reads of micro-wishes."""

from django.db.models import Avg, Count, DurationField, ExpressionWrapper, F, Q, QuerySet

from linli.wishes.models import Wish, WishStatus


def wall(community) -> QuerySet:
    """心愿墙: what the public sees — masked name, a care label, the compound; never the dwelling."""
    return (
        Wish.objects.filter(
            community=community, status__in=[WishStatus.OPEN, WishStatus.CLAIMED, WishStatus.FULFILLED, WishStatus.CONFIRMED]
        )
        .select_related("compound", "campaign")
        .only("title", "kind", "status", "public_name", "public_tag", "compound__name", "campaign__name", "created_at")
        .order_by("status", "-created_at")
    )


def my_claims(user) -> QuerySet:
    return Wish.objects.filter(claimed_by=user).select_related("compound").order_by("-claimed_at")


def stats(community, campaign=None) -> dict:
    """How many were posted, claimed and fulfilled, by whom and how fast."""
    qs = Wish.objects.filter(community=community).exclude(status__in=[WishStatus.REJECTED, WishStatus.WITHDRAWN])
    if campaign is not None:
        qs = qs.filter(campaign=campaign)
    totals = qs.aggregate(
        posted=Count("id"),
        claimed=Count("id", filter=Q(claimed_at__isnull=False)),
        fulfilled=Count("id", filter=Q(status__in=[WishStatus.FULFILLED, WishStatus.CONFIRMED])),
        confirmed=Count("id", filter=Q(status=WishStatus.CONFIRMED)),
        avg_to_claim=Avg(ExpressionWrapper(F("claimed_at") - F("created_at"), output_field=DurationField())),
        avg_to_fulfil=Avg(ExpressionWrapper(F("fulfilled_at") - F("claimed_at"), output_field=DurationField())),
    )
    by_claimer = list(
        qs.filter(claimed_by__isnull=False)
        .values("claimed_by__display_name", "claimed_by__username", "claimed_for__name")
        .annotate(n=Count("id"), done=Count("id", filter=Q(status__in=[WishStatus.FULFILLED, WishStatus.CONFIRMED])))
        .order_by("-done", "-n")[:50]
    )
    return {**totals, "by_claimer": by_claimer}
