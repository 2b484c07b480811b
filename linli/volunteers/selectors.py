"""Reads of volunteers, activities, the ledger, rankings and the alliance's monthly figures.
Every list here costs a fixed number of queries, however many rows it shows."""

from __future__ import annotations

from datetime import date, datetime, time
from decimal import Decimal

from django.db.models import Count, DecimalField, Exists, IntegerField, OuterRef, Q, QuerySet, Sum, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from linli.registry.models import Organisation, Place
from linli.volunteers.models import (
    DEFAULT_STAR_HOURS,
    Activity,
    ActivityStatus,
    EntryKind,
    LedgerEntry,
    Offer,
    Policy,
    Purchase,
    Redemption,
    RedemptionStatus,
    SignUp,
    SignUpStatus,
    Team,
    Volunteer,
    VolunteerStatus,
)

SERVICE_KINDS = (EntryKind.EARN, EntryKind.CORRECT)  # entries that are service hours (not spending)


def policy(community: Place) -> Policy:
    """The community's rules, or the defaults (not stored until staff change them)."""
    found = Policy.objects.filter(community_id=community.pk).first()
    return found or Policy(community_id=community.pk, star_hours=list(DEFAULT_STAR_HOURS))


def star_level(hours: Decimal, thresholds: list[int]) -> int:
    """How many thresholds the cumulative hours have reached (0 to 5 stars)."""
    return sum(1 for t in thresholds or DEFAULT_STAR_HOURS if hours >= t)


def _local_bounds(year: int) -> tuple[datetime, datetime]:
    tz = timezone.get_current_timezone()
    return datetime.combine(date(year, 1, 1), time.min, tz), datetime.combine(date(year + 1, 1, 1), time.min, tz)


def activities(community: Place, *, upcoming: bool = True, team: Team | None = None, campaign=None) -> QuerySet:
    qs = Activity.objects.filter(community=community).select_related("team", "campaign")
    if upcoming:
        qs = qs.filter(ends_at__gt=timezone.now(), status=ActivityStatus.PUBLISHED)
    else:
        qs = qs.order_by("-starts_at", "-id")
    if team is not None:
        qs = qs.filter(team=team)
    if campaign is not None:
        qs = qs.filter(campaign=campaign)
    return qs


def with_my_signup(qs: QuerySet, volunteer: Volunteer | None) -> QuerySet:
    """Mark each activity the volunteer holds a place in (one subquery, not one per row)."""
    if volunteer is None:
        return qs.annotate(mine=Value(False))
    return qs.annotate(mine=Exists(SignUp.objects.filter(activity=OuterRef("pk"), volunteer=volunteer, status=SignUpStatus.SIGNED)))


def roster(activity: Activity) -> QuerySet:
    return activity.signups.filter(status=SignUpStatus.SIGNED).select_related("volunteer").order_by("signed_at", "id")


def my_signups(volunteer: Volunteer) -> QuerySet:
    return volunteer.signups.filter(status=SignUpStatus.SIGNED).select_related("activity").order_by("-activity__starts_at")


def ledger(volunteer: Volunteer) -> QuerySet:
    return volunteer.entries.select_related("signup__activity", "redemption__offer").order_by("-created_at", "-id")


def service_record(volunteer: Volunteer) -> QuerySet:
    """For the certificate: each attendance with its hours as they stand after corrections."""
    return volunteer.signups.filter(hours__gt=0).select_related("activity", "activity__team").order_by("activity__starts_at")


def year_hours(volunteer: Volunteer, year: int) -> Decimal:
    start, end = _local_bounds(year)
    total = volunteer.entries.filter(kind__in=SERVICE_KINDS, created_at__gte=start, created_at__lt=end).aggregate(h=Sum("hours"))["h"]
    return total or Decimal("0")


def volunteers_for_review(community: Place) -> QuerySet:
    return Volunteer.objects.filter(community=community, status=VolunteerStatus.PENDING).order_by("registered_at")


def community_volunteers(community: Place, *, team: Team | None = None, status: str | None = None) -> QuerySet:
    qs = Volunteer.objects.filter(community=community)
    if team is not None:
        qs = qs.filter(memberships__team=team)
    if status:
        qs = qs.filter(status=status)
    return qs.annotate(team_count=Count("memberships")).order_by("-hours", "id")


def teams(community: Place) -> QuerySet:
    return Team.objects.filter(community=community).annotate(
        members=Count("memberships", filter=Q(memberships__volunteer__status=VolunteerStatus.ACTIVE)),
    )


def rankings(community: Place, *, year: int | None = None, team: Team | None = None, limit: int = 50) -> list[dict]:
    """Volunteers by hours served (and points earned) — in a year, or all time; in a team's
    activities, or all. Hours and points are summed from the ledger, corrections included."""
    entries = LedgerEntry.objects.filter(volunteer__community=community, volunteer__status=VolunteerStatus.ACTIVE, kind__in=SERVICE_KINDS)
    if year is not None:
        start, end = _local_bounds(year)
        entries = entries.filter(created_at__gte=start, created_at__lt=end)
    if team is not None:
        entries = entries.filter(signup__activity__team=team)
    rows = (
        entries.values("volunteer_id", "volunteer__name", "volunteer__hours")
        .annotate(hours=Sum("hours"), points=Sum("points"))
        .filter(hours__gt=0)
        .order_by("-hours", "-points", "volunteer_id")[:limit]
    )
    stars = policy(community).star_hours
    return [{**r, "stars": star_level(r["volunteer__hours"], stars)} for r in rows]


def team_rankings(community: Place, *, year: int | None = None) -> QuerySet:
    """Teams by the hours served in their activities."""
    q = Q(activities__signups__entries__kind__in=SERVICE_KINDS)
    if year is not None:
        start, end = _local_bounds(year)
        q &= Q(activities__signups__entries__created_at__gte=start, activities__signups__entries__created_at__lt=end)
    return (
        Team.objects.filter(community=community)
        .annotate(
            hours=Coalesce(Sum("activities__signups__entries__hours", filter=q), Value(Decimal("0")), output_field=DecimalField()),
            people=Count("activities__signups__volunteer", filter=q, distinct=True),
        )
        .order_by("-hours", "id")
    )


def star_counts(community: Place) -> list[tuple[int, int]]:
    """How many active volunteers hold each star level (1..5)."""
    thresholds = policy(community).star_hours or DEFAULT_STAR_HOURS
    active = Volunteer.objects.filter(community=community, status=VolunteerStatus.ACTIVE)
    aggregates = {f"s{i}": Count("id", filter=Q(hours__gte=t)) for i, t in enumerate(thresholds, start=1)}
    got = active.aggregate(**aggregates)
    return [(i, got[f"s{i}"] - (got.get(f"s{i + 1}") or 0)) for i in range(1, len(thresholds) + 1)]


def offers_with_use(qs: QuerySet) -> QuerySet:
    return qs.select_related("merchant").prefetch_related("care_tags")


def merchant_month(community: Place, year: int, month: int) -> list[dict]:
    """Per merchant in a month: redemptions, points taken, and what partner units bought."""
    tz = timezone.get_current_timezone()
    start = datetime.combine(date(year, month, 1), time.min, tz)
    end = datetime.combine(date(year + month // 12, month % 12 + 1, 1), time.min, tz)
    redeemed = Q(
        offers__redemptions__status=RedemptionStatus.REDEEMED,
        offers__redemptions__redeemed_at__gte=start,
        offers__redemptions__redeemed_at__lt=end,
    )
    merchants = list(
        Organisation.objects.filter(place=community, kind=Organisation.Kind.MERCHANT)
        .annotate(
            redemptions=Count("offers__redemptions", filter=redeemed),
            points=Coalesce(Sum("offers__redemptions__points", filter=redeemed), Value(0), output_field=IntegerField()),
            care=Count("offers__redemptions", filter=redeemed & Q(offers__redemptions__volunteer__isnull=True)),
        )
        .order_by("-redemptions", "name")
    )
    bought = {
        r["merchant_id"]: r
        for r in Purchase.objects.filter(community=community, bought_on__gte=start.date(), bought_on__lt=end.date())
        .values("merchant_id")
        .annotate(n=Count("id"), amount=Sum("amount"))
    }
    return [
        {
            "merchant": m,
            "redemptions": m.redemptions,
            "points": m.points,
            "care": m.care,
            "purchases": bought.get(m.pk, {}).get("n", 0),
            "amount": bought.get(m.pk, {}).get("amount") or Decimal("0"),
        }
        for m in merchants
    ]


def figures(community: Place, *, year: int | None = None) -> dict:
    """The community's volunteering in numbers (the dashboard and the figures page)."""
    year = year or timezone.localdate().year
    start, end = _local_bounds(year)
    volunteers = Volunteer.objects.filter(community=community).aggregate(
        active=Count("id", filter=Q(status=VolunteerStatus.ACTIVE)),
        pending=Count("id", filter=Q(status=VolunteerStatus.PENDING)),
    )
    served = LedgerEntry.objects.filter(
        volunteer__community=community, kind__in=SERVICE_KINDS, created_at__gte=start, created_at__lt=end
    ).aggregate(hours=Sum("hours"), points=Sum("points"))
    acts = Activity.objects.filter(community=community, starts_at__gte=start, starts_at__lt=end).aggregate(
        held=Count("id", filter=Q(status=ActivityStatus.PUBLISHED)),
        places=Sum("taken", filter=Q(status=ActivityStatus.PUBLISHED)),
    )
    redeemed = Redemption.objects.filter(
        offer__community=community, status=RedemptionStatus.REDEEMED, redeemed_at__gte=start, redeemed_at__lt=end
    ).aggregate(n=Count("id"), points=Sum("points"))
    bought = Purchase.objects.filter(community=community, bought_on__year=year).aggregate(n=Count("id"), amount=Sum("amount"))
    return {
        "year": year,
        "volunteers": volunteers["active"],
        "pending": volunteers["pending"],
        "teams": Team.objects.filter(community=community).count(),
        "activities": acts["held"],
        "places": acts["places"] or 0,
        "hours": served["hours"] or Decimal("0"),
        "points_earned": served["points"] or 0,
        "redemptions": redeemed["n"],
        "points_redeemed": redeemed["points"] or 0,
        "purchases": bought["n"],
        "purchase_amount": bought["amount"] or Decimal("0"),
        "merchants": Offer.objects.filter(community=community, active=True).values("merchant").distinct().count(),
    }


# ---- small reads the pages make (kept here so views only ask) -------------------------------------


def community_teams(community) -> QuerySet:
    return Team.objects.filter(community=community)


def open_campaigns(community) -> QuerySet:
    from linli.volunteers.models import PointsCampaign

    return PointsCampaign.objects.filter(community=community, ends_on__gte=timezone.localdate())


def recent_campaigns(community, limit: int = 10) -> QuerySet:
    from linli.volunteers.models import PointsCampaign

    return PointsCampaign.objects.filter(community=community)[:limit]


def kind_rules(community) -> QuerySet:
    from linli.volunteers.models import KindRule

    return KindRule.objects.filter(community=community)


def signup_of(activity: Activity, volunteer: Volunteer | None) -> SignUp | None:
    """The volunteer's sign-up for this activity, withdrawn or not."""
    return SignUp.objects.filter(activity=activity, volunteer=volunteer).first() if volunteer else None


def my_codes(user, limit: int = 20) -> QuerySet:
    return Redemption.objects.filter(holder=user).select_related("offer__merchant")[:limit]


def merchant_offers(merchant_ids) -> QuerySet:
    return Offer.objects.filter(merchant_id__in=sorted(merchant_ids)).select_related("merchant")


def community_offers(community) -> QuerySet:
    return Offer.objects.filter(community=community).select_related("merchant")


def redeemed_this_month(merchant_ids, limit: int = 30) -> QuerySet:
    month_start = timezone.localtime().replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    return (
        Redemption.objects.filter(
            offer__merchant_id__in=sorted(merchant_ids), status=RedemptionStatus.REDEEMED, redeemed_at__gte=month_start
        )
        .select_related("offer")
        .order_by("-redeemed_at")[:limit]
    )


def unit_purchases(buyers: QuerySet) -> QuerySet:
    return Purchase.objects.filter(buyer__in=buyers).select_related("merchant", "buyer")
