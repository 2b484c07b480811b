"""Reads for the dashboard: every figure of ``definitions.APPEAL_FIGURES``, counted from the
fact table for one community, grid or building, or from the day summaries for a street or a
district — never from the appeals table. Both paths share the counting rules below and the
builder ``_figures``, so a community's figures are the same whichever way they are read."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from functools import cache

from django.db import connection
from django.db.models import Count, F, Q, QuerySet, Sum
from django.utils import timezone

from linli.appeals.models import Level, Status
from linli.dashboard.models import NOT_OPEN, AppealDay, AppealFact

# Written as the partial indexes' conditions are (models.VALID), so PostgreSQL can use them.
VALID = Q(merged=False) & ~Q(status=Status.REJECTED)
DONE = Q(status__in=(Status.RESOLVED, Status.CLOSED)) & VALID
OPEN = ~Q(status__in=NOT_OPEN) & VALID

# What a fact counts towards, whatever the clock says (the columns of AppealDay).
COUNTS: dict[str, Q] = {
    "total": Q(pk__isnull=False),
    "rejected": Q(status=Status.REJECTED),
    "merged": Q(merged=True),
    "valid": VALID,
    "signed": VALID & Q(dispatched=True, signed_at__isnull=False),
    "signed_in_time": VALID & Q(dispatched=True, signed_at__isnull=False, signed_in_time=True),
    "resolved": VALID & Q(resolved_at__isnull=False),
    "resolved_in_time": VALID & Q(resolved_at__isnull=False, resolved_in_time=True),
    "solved": DONE & Q(reopened=False),
    "done": DONE,
    "rated": DONE & Q(rating__isnull=False),
    "satisfied": DONE & Q(rating__gte=4),
    "unrated": DONE & Q(rating__isnull=True),
    "revisited": DONE & Q(revisited=True),
    "supervised": VALID & Q(supervised=True),
    **{f"level_{lv}": DONE & Q(level=lv) for lv in Level.values},
}
SUMS = {
    "sign_days_sum": Sum("sign_workdays", filter=VALID, default=0),
    "sign_days_n": Count("sign_workdays", filter=VALID),
    "resolve_days_sum": Sum("resolve_workdays", filter=DONE, default=0),
    "resolve_days_n": Count("resolve_workdays", filter=DONE),
}


def static_counts(facts: QuerySet) -> dict[str, int]:
    """The AppealDay columns for a set of facts, in one query."""
    # Aliases must not shadow the fields the filters name (``merged``, ``revisited``…).
    row = facts.aggregate(**{f"c_{k}": Count("pk", filter=q) for k, q in COUNTS.items()}, **{f"c_{k}": a for k, a in SUMS.items()})
    return {k[2:]: v for k, v in row.items()}


_SENTINEL_PK = -7_000_000_000_001  # no fact has it; marks where the pk goes in the cached SQL


@cache
def _one_fact_counts_sql(vendor: str) -> tuple[str, tuple, int]:
    # Compiling twenty filtered aggregates costs the ORM far more than running them on one row
    # does, and appeal_fact_record asks twice per change: compile once per process.
    aggregates = {f"c_{k}": Count("pk", filter=q) for k, q in COUNTS.items()} | {f"c_{k}": a for k, a in SUMS.items()}
    query = AppealFact.objects.filter(pk=_SENTINEL_PK).values("pk").annotate(**aggregates).values(*aggregates).query
    sql, params = query.sql_with_params()
    return sql, params, params.index(_SENTINEL_PK)


def fact_counts(pk: int) -> dict[str, int]:
    """What one fact, as stored now, adds to its day's AppealDay columns (``static_counts`` of that
    fact alone; all zeros when there is no such fact)."""
    sql, params, at = _one_fact_counts_sql(connection.vendor)
    params = (*params[:at], pk, *params[at + 1 :])
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        row = cursor.fetchone()
    names = [*COUNTS, *SUMS]
    return dict(zip(names, row, strict=True)) if row else dict.fromkeys(names, 0)


# Awaiting a signature, or open: the small sets whose figures the clock alone changes (each has
# its partial index on AppealFact).
AWAITING_SIGNATURE = VALID & Q(dispatched=True, signed_at__isnull=True)


def live_sets(now: datetime) -> dict[str, Q]:
    """What a deadline passing without a change counts towards, at ``now``."""
    return {
        "unsigned_late": AWAITING_SIGNATURE & Q(sign_deadline__lt=now),
        "sign_overdue": AWAITING_SIGNATURE & OPEN & Q(sign_deadline__lt=now),
        "open_late": OPEN & Q(complete_deadline__lt=now),
    }


def live_counts_by(facts: QuerySet, now: datetime, field: str | None = None) -> dict:
    """The live counts, per value of ``field`` (or in all, under the key None). Two queries, one
    over the facts awaiting a signature and one over the open facts, each read from its own
    covering partial index."""
    sets = live_sets(now)
    awaiting = facts.filter(AWAITING_SIGNATURE)
    open_ = facts.filter(OPEN)
    sign_counts = {k: Count("pk", filter=sets[k]) for k in ("unsigned_late", "sign_overdue")}
    open_counts = {"open_late": Count("pk", filter=sets["open_late"])}
    if field is None:
        return {None: awaiting.aggregate(**sign_counts) | open_.aggregate(**open_counts)}
    out: dict = {}
    for r in awaiting.values(field).annotate(**sign_counts).order_by():
        out[r[field]] = {**NO_LIVE, **{k: r[k] for k in sign_counts}}
    for r in open_.values(field).annotate(**open_counts).order_by():
        out.setdefault(r[field], dict(NO_LIVE))["open_late"] = r["open_late"]
    return out


def live_counts(facts: QuerySet, now: datetime) -> dict[str, int]:
    return live_counts_by(facts, now)[None]


NO_LIVE = {"unsigned_late": 0, "sign_overdue": 0, "open_late": 0}


def figure_sets(now: datetime) -> dict[str, tuple[Q, Q | None]]:
    """The appeals behind each listable figure: the set counted (for a rate, its denominator)
    and, for a rate, which of them the numerator counts — the counting rules above."""
    c, live = COUNTS, live_sets(now)
    return {
        "total": (c["total"], None),
        "valid": (c["valid"], None),
        "response": (c["signed"] | live["unsigned_late"], c["signed_in_time"]),
        "on_time": (c["resolved"] | live["open_late"], c["resolved_in_time"]),
        "solved": (c["valid"], c["solved"]),
        "satisfied": (c["rated"], c["satisfied"]),
        "unrated": (c["unrated"], None),
        "revisited": (c["done"], c["revisited"]),
        "overdue": (live["open_late"], None),
        "sign_overdue": (live["sign_overdue"], None),
        "supervised": (c["supervised"], None),
    }


LISTABLE_FIGURES = tuple(figure_sets(datetime.min))  # the figures a list can open (codes only)


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


def _average(total, n) -> Decimal | None:
    if not n:
        return None
    return (Decimal(total) / n).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def _figures(c: dict, live: dict) -> dict:
    return {
        "total": c["total"],
        "rejected": c["rejected"],
        "merged": c["merged"],
        "valid": c["valid"],
        "response": Rate(c["signed_in_time"], c["signed"] + live["unsigned_late"]),
        "on_time": Rate(c["resolved_in_time"], c["resolved"] + live["open_late"]),
        "solved": Rate(c["solved"], c["valid"]),
        "satisfied": Rate(c["satisfied"], c["rated"]),
        "unrated": c["unrated"],
        "revisited": Rate(c["revisited"], c["done"]),
        "supervised": c["supervised"],
        "levels": {lv: Rate(c[f"level_{lv}"], c["done"]) for lv in Level.values},
        "overdue": live["open_late"],
        "sign_overdue": live["sign_overdue"],
        "sign_days": _average(c["sign_days_sum"], c["sign_days_n"]),
        "resolve_days": _average(c["resolve_days_sum"], c["resolve_days_n"]),
    }


def facts_in(*, community_ids, start: date, end: date) -> QuerySet:
    """Facts of the appeals reported in [start, end] (local dates) in these communities."""
    return AppealFact.objects.filter(community_id__in=list(community_ids), created_on__gte=start, created_on__lte=end)


def appeal_figures(facts: QuerySet, *, now: datetime | None = None) -> dict:
    """The figures of any set of facts (a community, a grid, a building, a category). Two queries."""
    now = now or timezone.now()
    return _figures(static_counts(facts), live_counts(facts, now))


def summary_figures(*, community_ids, start: date, end: date, now: datetime | None = None) -> dict:
    """The same figures for many communities from the day summaries. Three queries."""
    now = now or timezone.now()
    ids = list(community_ids)
    days = AppealDay.objects.filter(community_id__in=ids, day__gte=start, day__lte=end)
    columns = [*COUNTS, *SUMS]
    summed = {k[2:]: v for k, v in days.aggregate(**{f"c_{k}": Sum(k, default=0) for k in columns}).items()}
    return _figures(summed, live_counts(facts_in(community_ids=ids, start=start, end=end), now))


# ---- periods --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Period:
    start: date
    end: date

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    def previous(self) -> Period:
        """The period just before: the previous calendar month for a whole month, else the same
        number of days before."""
        if self.start.day == 1 and (self.end + timedelta(days=1)).day == 1:
            end = self.start - timedelta(days=1)
            return Period(end.replace(day=1), end)
        return Period(self.start - timedelta(days=self.days), self.start - timedelta(days=1))


def month_period(day: date) -> Period:
    first = day.replace(day=1)
    following = (first + timedelta(days=32)).replace(day=1)
    return Period(first, following - timedelta(days=1))


# ---- breakdowns and trends ------------------------------------------------------------------------------

BREAKDOWN_COUNTS = ("total", "valid", "signed", "signed_in_time", "resolved", "resolved_in_time", "solved", "done", "rated", "satisfied")


def breakdown(facts: QuerySet, field: str, *, now: datetime | None = None, limit: int = 50) -> list[dict]:
    """Figures per value of ``field`` (category, grid, lead organisation, compound…): two queries
    whatever the number of groups, largest first."""
    now = now or timezone.now()
    counts = {f"c_{k}": Count("pk", filter=COUNTS[k]) for k in BREAKDOWN_COUNTS}
    rows = list(facts.values(field).annotate(**counts).order_by("-c_total", field)[:limit])
    keys = [r[field] for r in rows if r[field] is not None]
    live = live_counts_by(facts.filter(**{f"{field}__in": keys}), now, field)
    out = []
    for r in rows:
        c = {k: r[f"c_{k}"] for k in BREAKDOWN_COUNTS}
        key = r[field]
        out.append(
            {
                "key": key,
                "total": c["total"],
                "response": Rate(c["signed_in_time"], c["signed"] + live.get(key, NO_LIVE)["unsigned_late"]),
                "on_time": Rate(c["resolved_in_time"], c["resolved"] + live.get(key, NO_LIVE)["open_late"]),
                "solved": Rate(c["solved"], c["valid"]),
                "satisfied": Rate(c["satisfied"], c["rated"]),
                "overdue": live.get(key, NO_LIVE)["open_late"],
            }
        )
    return out


def weekly_trend(facts: QuerySet, period: Period) -> list[dict]:
    """Appeals reported, and of them resolved, per week (Monday) of the period. One query."""
    from django.db.models.functions import TruncWeek

    rows = (
        facts.filter(created_on__gte=period.start, created_on__lte=period.end)
        .annotate(week=TruncWeek("created_on"))
        .values("week")
        .annotate(total=Count("pk"), done=Count("pk", filter=DONE))
        .order_by("week")
    )
    return [{"week": r["week"], "total": r["total"], "done": r["done"]} for r in rows]


def area_rows(*, community_ids, period: Period, now: datetime | None = None) -> dict[int, dict]:
    """Each community's figures from the day summaries and the live sets: three queries for any
    number of communities (the street and district tables)."""
    now = now or timezone.now()
    ids = list(community_ids)
    columns = [*COUNTS, *SUMS]
    summed = {
        r["community_id"]: {k: r[f"c_{k}"] for k in columns}
        for r in AppealDay.objects.filter(community_id__in=ids, day__gte=period.start, day__lte=period.end)
        .values("community_id")
        .annotate(**{f"c_{k}": Sum(k, default=0) for k in columns})
    }
    live = live_counts_by(facts_in(community_ids=ids, start=period.start, end=period.end), now, "community_id")
    empty = dict.fromkeys(columns, 0)
    return {cid: _figures(summed.get(cid, empty), live.get(cid, NO_LIVE)) for cid in ids}


def property_evaluation(*, community, period: Period, now: datetime | None = None) -> list[dict]:
    """双评 for one community and period: per property company, residents' ratings of the appeals
    it led, its on-time share and returns, beside the community's own score. Four queries."""
    from linli.dashboard.access import scored_companies
    from linli.dashboard.models import PropertyScore

    companies = list(scored_companies(community))
    facts = facts_in(community_ids=[community.pk], start=period.start, end=period.end).filter(lead_organisation__in=companies)
    rows = {r["key"]: r for r in breakdown(facts, "lead_organisation_id", now=now)}
    returns = dict(facts.values("lead_organisation_id").annotate(n=Sum("returns", default=0)).values_list("lead_organisation_id", "n"))
    scores = {
        s.organisation_id: s
        for s in PropertyScore.objects.filter(community=community, month=period.start.replace(day=1), organisation__in=companies)
    }
    out = []
    for company in companies:
        r = rows.get(company.pk)
        out.append(
            {
                "company": company,
                "total": r["total"] if r else 0,
                "satisfied": r["satisfied"] if r else Rate(0, 0),
                "on_time": r["on_time"] if r else Rate(0, 0),
                "returns": returns.get(company.pk, 0),
                "score": scores.get(company.pk),
            }
        )
    return out


def population(community_ids) -> dict | None:
    """The counted people of these communities, summed (two queries); None before the first count."""
    from django.db.models import Max

    from linli.dashboard.models import PopulationCount
    from linli.registry.models import CareTag

    rows = PopulationCount.objects.filter(community_id__in=list(community_ids))
    columns = [
        "households",
        "residents",
        "huji",
        "changzhu",
        "liudong",
        "age_0_17",
        "age_18_34",
        "age_35_59",
        "age_60_79",
        "age_80_up",
        "age_unknown",
    ]
    total = rows.aggregate(counted_at=Max("counted_at"), **{c: Sum(c, default=0) for c in columns})
    if total["counted_at"] is None:
        return None
    care: dict[str, int] = {}
    for row_care in rows.values_list("care", flat=True):
        for code, n in (row_care or {}).items():
            care[code] = care.get(code, 0) + n
    names = dict(CareTag.objects.filter(code__in=list(care)).values_list("code", "name"))
    total["care"] = sorted(((names.get(code, code), n) for code, n in care.items()), key=lambda x: -x[1])
    return total


def three_without_compounds(place, period: Period, *, now: datetime | None = None) -> list[dict]:
    """The area's 三无 compounds (no property company, no owners' committee, no management) and
    how their appeals were handled in the period. Two queries and a breakdown."""
    from linli.registry.models import ManagementStatus, Place, PlaceKind

    compounds = list(
        Place.objects.filter(
            kind=PlaceKind.COMPOUND, management_status=ManagementStatus.THREE_WITHOUT, path__startswith=place.path
        ).order_by("path")
    )
    if not compounds:
        return []
    facts = AppealFact.objects.filter(
        compound_path__in=[c.path for c in compounds], created_on__gte=period.start, created_on__lte=period.end
    )
    rows = {r["key"]: r for r in breakdown(facts, "compound_path", now=now, limit=len(compounds))}
    communities = dict(Place.objects.filter(pk__in={c.community_id for c in compounds}).values_list("pk", "name"))
    return [{"compound": c, "community": communities.get(c.community_id, ""), "figures": rows.get(c.path)} for c in compounds]


# ---- the other domains' figures (councils, wishes, grid work) -----------------------------------------


def work_figures(community, period: Period, *, now: datetime | None = None) -> dict:
    """A community's councils, wishes and grid work in the period, as ``definitions.WORK_FIGURES``
    defines them. About a dozen queries, whatever the period."""
    from django.db.models.functions import TruncMonth

    from linli.accounts.models import Role, RoleAssignment
    from linli.councils.models import Council, Meeting, Resolution, Topic
    from linli.gridwork.models import GridworkRule
    from linli.gridwork.selectors import visit_targets, worker_day_seconds
    from linli.registry.models import Grid
    from linli.wishes.models import Wish, WishStatus

    now = now or timezone.now()
    today = timezone.localdate(now)
    in_period = {"gte": period.start, "lte": period.end}
    councils = Council.objects.filter(community=community)
    months = sorted({date(d.year, d.month, 1) for d in (period.start + timedelta(days=i) for i in range(period.days)) if d <= today})
    council_count = councils.count()
    met = (
        Meeting.objects.filter(
            council__community=community, held_at__isnull=False, held_at__date__gte=period.start, held_at__date__lte=period.end
        )
        .annotate(month=TruncMonth("held_at"))
        .values("council_id", "month")
        .distinct()
        .count()
    )
    due = Resolution.objects.filter(
        topic__council__community=community, adopted=True, due_on__gte=period.start, due_on__lte=min(period.end, today)
    )
    on_time = due.filter(done_at__isnull=False, done_at__date__lte=F("due_on")).count()
    wishes = Wish.objects.filter(community=community, created_at__date__gte=period.start, created_at__date__lte=period.end).exclude(
        status__in=[WishStatus.REJECTED, WishStatus.WITHDRAWN, WishStatus.PENDING]
    )
    # Patrols: worker-days meeting the community's rule, on the days it applies to, up to
    # yesterday, each worker once however many grids they hold (as the grid-work pages count).
    rule = GridworkRule.for_community(community.pk)
    days = rule.days_between(period.start, min(period.end, today - timedelta(days=1)))
    grid_ids = list(Grid.objects.filter(community=community).values_list("pk", flat=True))
    workers = set(RoleAssignment.objects.filter(role=Role.GRID_WORKER, grid_id__in=grid_ids).values_list("user_id", flat=True))
    met_rule = 0
    if days and workers:
        seconds = worker_day_seconds(community_id=community.pk, worker_ids=workers, start=days[0], end=days[-1])
        applies = set(days)
        met_rule = sum(1 for (_w, d), s in seconds.items() if d in applies and rule.met(s))
    targets = visit_targets(grid_ids=grid_ids, community_id=community.pk, today=today) if grid_ids else []
    return {
        "topics": Topic.objects.filter(
            council__community=community, created_at__date__gte=in_period["gte"], created_at__date__lte=in_period["lte"]
        ).count(),
        "monthly_meetings": Rate(met, council_count * len(months)),
        "resolutions_on_time": Rate(on_time, due.count()),
        "wishes_posted": wishes.count(),
        "wishes_fulfilled": Rate(wishes.filter(status=WishStatus.CONFIRMED).count(), wishes.count()),
        "patrol_compliance": Rate(met_rule, len(workers) * len(days)),
        "visits_overdue": sum(t.state == "overdue" for t in targets),
        "visit_households": len(targets),
    }
