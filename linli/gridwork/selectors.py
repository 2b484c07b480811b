"""Reads of grid work: compliance with the daily rule, households due and overdue for a visit,
a worker's day, round coverage and results. Each answers in a fixed number of queries,
whatever the number of patrols, visits or households."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta

from django.db.models import Count, Max, QuerySet, Sum
from django.utils import timezone

from linli.accounts.models import Role, RoleAssignment
from linli.gridwork.models import (
    DEFAULT_VISIT_DAYS,
    GridworkRule,
    Patrol,
    PatrolTime,
    Round,
    RoundContact,
    Visit,
    VisitFrequency,
    split_by_day,
)
from linli.registry.models import CareTag, Grid, Household, Place, Resident
from linli.registry.vocabulary import grid_family, home_community

# ---- compliance -------------------------------------------------------------------------------------


@dataclass
class WorkerDays:
    assignment: RoleAssignment  # the worker's first post among the grids asked about
    grids: list = field(default_factory=list)  # every grid of the community the worker holds
    days: list = field(default_factory=list)  # [(date, minutes, ok)]
    short_days: int = 0


def days_back(n: int, *, today: date | None = None, working_days_only: bool = True) -> list[date]:
    """The last ``n`` days the rule applies to, today included (working days by the calendar)."""
    today = today or timezone.localdate()
    rule = GridworkRule(working_days_only=working_days_only)
    return rule.days_between(today - timedelta(days=n * 2 + 20), today)[-n:] if n > 0 else []


def worker_day_seconds(*, community_id: int, worker_ids, start: date, end: date) -> dict[tuple[int, date], int]:
    """(worker, day) → seconds in the community's compounds, one figure per worker and day
    however many of its grids the worker holds: the one reading the daily rule is asked of, on
    the grid pages, the worker's day page and the dashboard. One query."""
    rows = (
        PatrolTime.objects.filter(worker_id__in=list(worker_ids), day__gte=start, day__lte=end, grid__community_id=community_id)
        .values("worker_id", "day")
        .annotate(total=Sum("seconds"))
    )
    return {(r["worker_id"], r["day"]): r["total"] for r in rows}


def compliance(grid_ids, *, community_id: int, n_days: int = 10, today: date | None = None) -> dict:
    """Each grid worker of these grids, once, with their minutes in the community's compounds
    per day the rule applies to (``GridworkRule.met``: 59 is short, 60 is not)."""
    rule = GridworkRule.for_community(community_id)
    current = today or timezone.localdate()
    days = days_back(n_days, today=current, working_days_only=rule.working_days_only)
    posts = list(
        RoleAssignment.objects.filter(role=Role.GRID_WORKER, grid__community_id=community_id)
        .select_related("user", "grid")
        .order_by("grid__code", "user__username")
    )
    asked = set(grid_ids)
    workers: dict[int, WorkerDays] = {}
    for a in posts:
        if a.grid_id in asked and a.user_id not in workers:
            workers[a.user_id] = WorkerDays(assignment=a)
    for a in posts:
        if a.user_id in workers:
            workers[a.user_id].grids.append(a.grid)
    seconds = worker_day_seconds(community_id=community_id, worker_ids=workers, start=days[0], end=days[-1]) if days and workers else {}
    for user_id, wd in workers.items():
        for d in days:
            total = seconds.get((user_id, d), 0)
            # Today is not over: it is shown, neither short nor done until it is.
            ok = True if rule.met(total) else (None if d == current else False)
            wd.days.append((d, total // 60, ok))
            wd.short_days += ok is False
    return {"rule": rule, "days": days, "workers": list(workers.values())}


def today_seconds(user, *, community_id: int, now=None) -> int:
    """Seconds in the community's compounds today: what has been credited plus the open patrol so far."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    done = worker_day_seconds(community_id=community_id, worker_ids=[user.pk], start=today, end=today).get((user.pk, today), 0)
    open_patrol = Patrol.objects.filter(worker=user, ended_at__isnull=True, grid__community_id=community_id).first()
    if open_patrol:
        done += sum(s for d, s in split_by_day(open_patrol.started_at, now) if d == today)
    return done


# ---- visits ------------------------------------------------------------------------------------------


@dataclass
class VisitTarget:
    household: Household
    tags: list
    every_days: int
    last_visit: date | None
    due_on: date
    overdue_days: int  # > 0 when overdue
    today: date

    @property
    def state(self) -> str:
        today = self.today
        if self.due_on < today:
            return "overdue"
        if self.due_on == today:
            return "due_today"
        return "due_soon" if self.due_on <= today + timedelta(days=6) else "later"


def frequencies(community_id: int) -> dict[str, int]:
    """Care tag code → days between visits (the community's own, else the defaults)."""
    own = dict(VisitFrequency.objects.filter(community_id=community_id).values_list("care_tag__code", "every_days"))
    return own or dict(DEFAULT_VISIT_DAYS)


def visit_targets(*, grid_ids=None, household_ids=None, community_id: int, today: date | None = None) -> list[VisitTarget]:
    """Households with a care tag that calls for visits, each with its due date: the last
    visit plus the shortest interval of its members' tags (first due: registration + interval).
    Due on the boundary day is "due today", overdue only the day after. Four queries."""
    today = today or timezone.localdate()
    freq = frequencies(community_id)
    qs = Resident.objects.filter(is_active=True, care_tags__code__in=list(freq))
    if grid_ids is not None:
        qs = qs.filter(household__dwelling__grid_id__in=grid_family(grid_ids))
    if household_ids is not None:
        qs = qs.filter(household_id__in=list(household_ids))
    tags_by_household: dict[int, set[str]] = defaultdict(set)
    for household_id, code in qs.values_list("household_id", "care_tags__code"):
        tags_by_household[household_id].add(code)
    if not tags_by_household:
        return []
    ids = sorted(tags_by_household)
    last = dict(
        Visit.objects.filter(household_id__in=ids).values("household_id").annotate(m=Max("visited_at")).values_list("household_id", "m")
    )
    households = {h.pk: h for h in Household.objects.filter(pk__in=ids).select_related("dwelling")}
    names = dict(CareTag.objects.filter(code__in=list(freq)).values_list("code", "name"))
    out = []
    for hid, codes in tags_by_household.items():
        every = min(freq[c] for c in codes)
        h = households[hid]
        last_day = timezone.localdate(last[hid]) if last.get(hid) else None
        start = last_day or timezone.localdate(h.created_at)
        due = start + timedelta(days=every)
        out.append(VisitTarget(h, sorted(names.get(c, c) for c in codes), every, last_day, due, max((today - due).days, 0), today))
    return sorted(out, key=lambda t: (t.due_on, t.household.dwelling.path))


def my_grid_ids(scope) -> list[int]:
    """The grids this user records visits in (as grid worker or leader)."""
    from linli.gridwork.access import RECORD_VISITS

    return sorted({g for r in scope.granting(RECORD_VISITS) for g in r.grid_ids})


def my_visit_targets(user, scope, community: Place | None = None) -> list[VisitTarget]:
    """The households this user is to visit: a red steward's linked households, a grid
    worker's or leader's grid, a building head's building, staff's whole community."""
    from linli.gridwork import access

    community = community or home_community(user, scope)
    if community is None:
        return []
    if scope.has(access.STEWARD) and not scope.has(access.RECORD_VISITS):
        return visit_targets(household_ids=access.steward_household_ids(user), community_id=community.pk)
    grid_ids = my_grid_ids(scope)
    if grid_ids:
        return visit_targets(grid_ids=grid_ids, community_id=community.pk)
    building_paths = access.building_paths(scope)
    if building_paths:
        ids = Household.objects.filter(dwelling__path__startswith=building_paths[0]).values_list("pk", flat=True)
        return visit_targets(household_ids=list(ids), community_id=community.pk)
    return visit_targets(grid_ids=list(Grid.objects.filter(community=community).values_list("pk", flat=True)), community_id=community.pk)


# ---- rounds ------------------------------------------------------------------------------------------


def round_coverage(rnd: Round) -> list[dict]:
    """Per grid: households, households reached, percent. Three queries."""
    grids = list(rnd.grids.all().order_by("code"))
    family = {g.pk: set(grid_family([g.pk])) for g in grids}
    all_ids = sorted(set().union(*family.values())) if family else []
    households = dict(
        Household.objects.filter(dwelling__grid_id__in=all_ids)
        .values("dwelling__grid_id")
        .annotate(n=Count("pk"))
        .values_list("dwelling__grid_id", "n")
    )
    reached = dict(RoundContact.objects.filter(round=rnd).values("grid_id").annotate(n=Count("pk")).values_list("grid_id", "n"))
    out = []
    for g in grids:
        total = sum(households.get(i, 0) for i in family[g.pk])
        done = sum(reached.get(i, 0) for i in family[g.pk])
        out.append({"grid": g, "households": total, "reached": done, "percent": round(done * 100 / total, 1) if total else 0.0})
    return out


def round_results(rnd: Round) -> list[dict]:
    """Per question: the count of each option (unanswered not counted)."""
    counts = [[0] * len(q["options"]) for q in rnd.questions]
    for answers in RoundContact.objects.filter(round=rnd).values_list("answers", flat=True):
        for key, index in (answers or {}).items():
            i = int(key)
            if i < len(counts) and 0 <= index < len(counts[i]):
                counts[i][index] += 1
    return [{"text": q["text"], "options": list(zip(q["options"], counts[i], strict=True))} for i, q in enumerate(rnd.questions)]


def round_households(rnd: Round, grid_ids) -> QuerySet:
    """The households of the round in these grids, each with whether it was reached (those not
    yet reached first)."""
    from django.db.models import Exists, OuterRef

    return (
        Household.objects.filter(dwelling__grid_id__in=grid_family(grid_ids))
        .filter(dwelling__grid_id__in=grid_family(rnd.grids.values_list("pk", flat=True)))
        .select_related("dwelling")
        .annotate(reached=Exists(RoundContact.objects.filter(round=rnd, household=OuterRef("pk"))))
        .order_by("reached", "dwelling__path")  # those still to reach first
    )


def open_patrol(user) -> Patrol | None:
    return Patrol.objects.filter(worker=user, ended_at__isnull=True).select_related("compound").first()


def recent_patrols(user, limit: int = 10) -> QuerySet:
    return Patrol.objects.filter(worker=user).select_related("compound").order_by("-started_at")[:limit]


def flagged_grids(community_ids) -> dict[int, int]:
    """Comprehensive grids and their number of full-time grid workers, where it is not one."""
    from linli.registry.models import GridKind

    counts = dict(
        RoleAssignment.objects.filter(role=Role.GRID_WORKER, full_time=True, grid__community_id__in=list(community_ids))
        .values("grid_id")
        .annotate(n=Count("pk"))
        .values_list("grid_id", "n")
    )
    grids = Grid.objects.filter(community_id__in=list(community_ids), kind=GridKind.COMPREHENSIVE).values_list("pk", flat=True)
    return {g: counts.get(g, 0) for g in grids if counts.get(g, 0) != 1}


def visit_findings(visit) -> QuerySet:
    """What a visit turned into, with what each row links to, in one query."""
    return visit.findings.select_related("order__service", "wish", "appeal").order_by("created_at")
