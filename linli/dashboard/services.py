"""Keeping the dashboard's facts. ``appeal_fact_record`` is called by the appeals services inside
the transaction of every change (submit and each transition), so a fact is never older than
its appeal and a rolled-back change leaves no trace here either."""

from __future__ import annotations

from datetime import datetime

from django.db import connection, transaction
from django.utils import timezone
from django_tasks import task

from linli.appeals.models import Appeal, Assignment, Status
from linli.core.workdays import working_days_between
from linli.dashboard.models import AppealDay, AppealFact
from linli.dashboard.selectors import fact_counts
from linli.registry.models import Place, PlaceKind
from linli.registry.vocabulary import building_path, compound_path


def _paths(place: Place) -> tuple[str, str]:
    return compound_path(place.path) or "", building_path(place.path) or ""


def appeal_fact_record(*, appeal: Appeal, action: str, at: datetime | None = None) -> AppealFact:
    """Bring the appeal's fact up to date after ``action`` happened at ``at`` (now by default)."""
    at = at or timezone.now()
    # A new appeal has no fact yet: nothing to lock or to subtract.
    fact = None if action == "submit" else AppealFact.objects.select_for_update().filter(pk=appeal.pk).first()
    before = fact_counts(appeal.pk) if fact is not None else None
    if fact is None:
        compound, building = _paths(appeal.place)
        fact = AppealFact(
            appeal_id=appeal.pk,
            community_id=appeal.community_id,
            compound_path=compound,
            building_path=building,
            channel=appeal.channel,
            created_at=appeal.created_at,
            created_on=timezone.localdate(appeal.created_at),
        )
    fact.grid_id = appeal.grid_id
    fact.category_id = appeal.category_id
    fact.level = appeal.level
    fact.status = appeal.status
    fact.complete_deadline = appeal.complete_deadline
    fact.rating = appeal.rating
    if action == "dispatch":
        fact.dispatched = True
        fact.sign_deadline = appeal.sign_deadline
        lead = appeal.assignments.filter(is_lead=True).exclude(state=Assignment.State.WITHDRAWN).order_by("-pk").first()
        fact.lead_organisation_id = lead.organisation_id if lead else None
        fact.lead_user_id = lead.user_id if lead else None
    elif action == "sign" and fact.signed_at is None:
        fact.signed_at = at
        fact.signed_in_time = fact.sign_deadline is None or at <= fact.sign_deadline
        fact.sign_workdays = working_days_between(appeal.created_at, at)
    elif action in ("resolve", "council_resolve", "mediation_resolve", "project_resolve"):
        fact.resolved_at = at
        fact.resolved_in_time = appeal.complete_deadline is None or at <= appeal.complete_deadline
        fact.resolve_workdays = working_days_between(appeal.created_at, at)
    elif action == "merge":
        fact.merged = True
    elif action == "reopen":
        fact.reopened = True
    elif action == "callback":
        fact.revisited = True
    elif action == "supervise":
        fact.supervised = True
    elif action == "return":
        fact.returns += 1
    if appeal.status == Status.REOPENED:
        fact.resolved_at = fact.resolved_in_time = fact.resolve_workdays = None
    fact.save(force_insert=before is None)
    after = fact_counts(fact.pk)
    _add_to_day(fact.community_id, fact.created_on, before or dict.fromkeys(after, 0), after)
    return fact


def _add_to_day(community_id: int, day, before: dict[str, int], after: dict[str, int]) -> None:
    """Move the day's summary by what this one fact's change moved: the same counting rules
    (``fact_counts`` runs ``static_counts``' SQL on the fact before and after), applied by one
    upsert whose ``col = col + delta`` is atomic — no recount of the whole day, and two changes
    on one day simply wait for each other's row lock."""
    delta = {k: after[k] - before[k] for k in after if after[k] != before[k]}
    if not delta:
        return
    q = connection.ops.quote_name
    table = q(AppealDay._meta.db_table)
    columns = {k: q(AppealDay._meta.get_field(k).column) for k in after}
    changed = ", ".join(f"{columns[k]} = {table}.{columns[k]} + %s" for k in delta)
    # A day's first fact only adds; the proposed row must pass the columns' CHECK (≥ 0) even
    # when the conflict path is taken, so it carries no negative delta.
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (community_id, day, {', '.join(columns.values())}) VALUES (%s, %s{', %s' * len(columns)}) "
            f"ON CONFLICT (community_id, day) DO UPDATE SET {changed}",
            [community_id, day, *(max(delta.get(k, 0), 0) for k in columns), *delta.values()],
        )


def property_score_save(*, actor, community: Place, organisation, month, score, note: str = ""):
    """The community's monthly score of a property company (0–100), one per month, audited."""
    from django.core.exceptions import PermissionDenied, ValidationError
    from django.utils.translation import gettext as _

    from linli.accounts.scope import scope_for
    from linli.core import audit
    from linli.dashboard import access
    from linli.dashboard.models import PropertyScore

    if not access.can_score_property(scope_for(actor), community):
        raise PermissionDenied(_("您无权为该社区的物业评分。"))
    if not access.scored_companies(community).filter(pk=organisation.pk).exists():
        raise ValidationError({"organisation": _("该单位不是本社区的物业公司。")})
    try:
        score = int(score)
    except (TypeError, ValueError):
        score = -1
    if not 0 <= score <= 100:
        raise ValidationError({"score": _("评分应为0–100的整数。")})
    month = month.replace(day=1)
    if month > timezone.localdate():
        raise ValidationError({"month": _("不能为将来的月份评分。")})
    with transaction.atomic():
        row = PropertyScore.objects.select_for_update().filter(community=community, organisation=organisation, month=month).first()
        before = audit.snapshot(row, ["score", "note"]) if row else {}
        if row is None:
            row = PropertyScore(community=community, organisation=organisation, month=month)
        row.score, row.note, row.scored_by = score, (note or "").strip()[:500], actor
        row.save()
        audit.record(
            actor=actor,
            action="update" if before else "create",
            target=row,
            changes=audit.diff(before, audit.snapshot(row, ["score", "note"])),
        )
    return row


def monthly_report_request(*, actor, place: Place, month):
    """Queue a month's report for a community or street; asking again while one is being made
    returns that one (a double click queues one)."""
    from django.core.exceptions import PermissionDenied, ValidationError
    from django.db import IntegrityError
    from django.utils.translation import gettext as _

    from linli.accounts.scope import scope_for
    from linli.dashboard import access
    from linli.dashboard.models import MonthlyReport

    if place.kind not in (PlaceKind.COMMUNITY, PlaceKind.STREET) or not access.can_view_area(scope_for(actor), place):
        raise PermissionDenied(_("您无权生成该范围的月报。"))
    month = month.replace(day=1)
    if month > timezone.localdate():
        raise ValidationError({"month": _("不能为将来的月份生成月报。")})
    in_making = MonthlyReport.objects.filter(
        place=place, month=month, status__in=[MonthlyReport.Status.QUEUED, MonthlyReport.Status.RUNNING]
    )
    try:
        with transaction.atomic():
            report = MonthlyReport.objects.create(place=place, month=month, requested_by=actor)
            transaction.on_commit(lambda: build_monthly_report.enqueue(report.pk))
    except IntegrityError:
        return in_making.get()
    return report


def monthly_report_build(*, report_id: int):
    """Build the workbook. The queued report is claimed by a conditional update, so two workers
    never build the same one."""
    import logging
    import time

    from django.core.files.base import ContentFile

    from linli.core.replica import reporting
    from linli.dashboard import report as report_module
    from linli.dashboard.models import MonthlyReport
    from linli.dashboard.selectors import month_period

    report = MonthlyReport.objects.select_related("place").get(pk=report_id)
    if not MonthlyReport.objects.filter(pk=report.pk, status=MonthlyReport.Status.QUEUED).update(status=MonthlyReport.Status.RUNNING):
        return report
    started = time.perf_counter()
    try:
        with reporting():  # the month's figures may come from the replica; the report row is the primary's
            data = report_module.report_data(report.place, month_period(report.month))
        content = report_module.workbook(data)
        report.file.save(f"{report.month:%Y-%m}.xlsx", ContentFile(content), save=False)
        report.status = MonthlyReport.Status.DONE
    except Exception:
        logging.getLogger(__name__).exception("monthly report %s failed", report.pk)
        report.status = MonthlyReport.Status.FAILED
    report.finished_at = timezone.now()
    report.seconds = round(time.perf_counter() - started, 2)
    report.save(update_fields=["file", "status", "finished_at", "seconds"])
    return report


AGE_BANDS = (("age_0_17", 0, 17), ("age_18_34", 18, 34), ("age_35_59", 35, 59), ("age_60_79", 60, 79), ("age_80_up", 80, 200))


def population_count(*, community_ids=None, today=None) -> int:
    """Recount each community's people (three grouped queries a community). Returns how many
    communities were counted."""

    from django.db.models import Count, Q

    from linli.dashboard.models import PopulationCount
    from linli.registry.models import Household, Resident

    today = today or timezone.localdate()

    def aged(low: int, high: int) -> Q:
        """Aged low..high years today: born after the day (high + 1) years ago, on or before the day low years ago."""
        return Q(birth_date__lte=_years_before(today, low), birth_date__gt=_years_before(today, high + 1))

    communities = Place.objects.filter(kind=PlaceKind.COMMUNITY)
    if community_ids is not None:
        communities = communities.filter(pk__in=list(community_ids))
    counted = 0
    for community in communities:
        residents = Resident.objects.filter(is_active=True, household__dwelling__community=community)
        row = residents.aggregate(
            residents=Count("pk"),
            huji=Count("pk", filter=Q(registration="huji")),
            changzhu=Count("pk", filter=Q(registration="changzhu")),
            liudong=Count("pk", filter=Q(registration="liudong")),
            age_unknown=Count("pk", filter=Q(birth_date__isnull=True)),
            **{name: Count("pk", filter=aged(low, high)) for name, low, high in AGE_BANDS},
        )
        care = dict(
            residents.filter(care_tags__isnull=False).values("care_tags__code").annotate(n=Count("pk")).values_list("care_tags__code", "n")
        )
        households = Household.objects.filter(dwelling__community=community).count()
        with transaction.atomic():
            PopulationCount.objects.update_or_create(
                community=community, defaults={**row, "care": care, "households": households, "counted_at": timezone.now()}
            )
        counted += 1
    return counted


def _years_before(day, years: int):
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


@task()
def build_monthly_report(report_id: int) -> str:
    """The worker's side of ``monthly_report_request``, queued after its commit."""
    return monthly_report_build(report_id=report_id).status
