"""Reads for the dashboard: every figure of ``definitions.APPEAL_FIGURES`` from the fact table,
in one aggregate query, never from the appeals table."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Avg, Count, Q, QuerySet
from django.utils import timezone

from linli.appeals.models import Level, Status
from linli.dashboard.models import AppealFact

DONE = (Status.RESOLVED, Status.CLOSED)
NOT_OPEN = (Status.RESOLVED, Status.CLOSED, Status.REJECTED, Status.MERGED)


@dataclass(frozen=True)
class Rate:
    numerator: int
    denominator: int

    @property
    def percent(self) -> Decimal | None:
        """One decimal, rounded half up; None when nothing was counted (not 0%)."""
        if not self.denominator:
            return None
        return (Decimal(100 * self.numerator) / self.denominator).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def facts_in(*, community_ids, start: date, end: date) -> QuerySet:
    """Facts of the appeals reported in [start, end] (local dates) in these communities."""
    return AppealFact.objects.filter(community_id__in=list(community_ids), created_on__gte=start, created_on__lte=end)


def appeal_figures(facts: QuerySet, *, now: datetime | None = None) -> dict:
    """Every rate counts valid appeals only: not rejected, not merged into another."""
    now = now or timezone.now()
    invalid = Q(status=Status.REJECTED) | Q(merged=True)
    done = Q(status__in=DONE) & ~invalid
    is_open = ~Q(status__in=NOT_OPEN) & ~invalid
    sign_decided = Q(dispatched=True) & ~invalid & (Q(signed_at__isnull=False) | Q(sign_deadline__lt=now))
    resolve_decided = ~invalid & (Q(resolved_at__isnull=False) | (is_open & Q(complete_deadline__lt=now)))
    row = facts.aggregate(
        n_total=Count("pk"),
        n_rejected=Count("pk", filter=Q(status=Status.REJECTED)),
        n_merged=Count("pk", filter=Q(merged=True)),
        n_valid=Count("pk", filter=~invalid),
        n_signed_in_time=Count("pk", filter=Q(signed_in_time=True) & sign_decided),
        n_sign_decided=Count("pk", filter=sign_decided),
        n_resolved_in_time=Count("pk", filter=Q(resolved_in_time=True) & resolve_decided),
        n_resolve_decided=Count("pk", filter=resolve_decided),
        n_solved=Count("pk", filter=done & Q(reopened=False)),
        n_done=Count("pk", filter=done),
        n_satisfied=Count("pk", filter=done & Q(rating__gte=4)),
        n_rated=Count("pk", filter=done & Q(rating__isnull=False)),
        n_unrated=Count("pk", filter=done & Q(rating__isnull=True)),
        n_revisited=Count("pk", filter=done & Q(revisited=True)),
        n_overdue=Count("pk", filter=is_open & Q(complete_deadline__lt=now)),
        n_sign_overdue=Count("pk", filter=is_open & Q(dispatched=True, signed_at__isnull=True, sign_deadline__lt=now)),
        n_sign_days=Avg("sign_workdays", filter=~invalid),
        n_resolve_days=Avg("resolve_workdays", filter=done),
        **{f"n_level_{lv}": Count("pk", filter=done & Q(level=lv)) for lv in Level.values},
    )
    return {
        "total": row["n_total"],
        "rejected": row["n_rejected"],
        "merged": row["n_merged"],
        "valid": row["n_valid"],
        "response": Rate(row["n_signed_in_time"], row["n_sign_decided"]),
        "on_time": Rate(row["n_resolved_in_time"], row["n_resolve_decided"]),
        "solved": Rate(row["n_solved"], row["n_valid"]),
        "satisfied": Rate(row["n_satisfied"], row["n_rated"]),
        "unrated": row["n_unrated"],
        "revisited": Rate(row["n_revisited"], row["n_done"]),
        "levels": {lv: Rate(row[f"n_level_{lv}"], row["n_done"]) for lv in Level.values},
        "overdue": row["n_overdue"],
        "sign_overdue": row["n_sign_overdue"],
        "sign_days": _one_decimal(row["n_sign_days"]),
        "resolve_days": _one_decimal(row["n_resolve_days"]),
    }


def _one_decimal(value) -> Decimal | None:
    return None if value is None else Decimal(str(value)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
