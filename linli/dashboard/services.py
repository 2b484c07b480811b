"""Keeping the dashboard's facts. ``appeal_fact_record`` is called by the appeals services inside
the transaction of every change (submit and each transition), so a fact is never older than
its appeal and a rolled-back change leaves no trace here either."""

from __future__ import annotations

from datetime import datetime

from django.utils import timezone

from linli.appeals.models import Appeal, Assignment, Status
from linli.core.workdays import working_days_between
from linli.dashboard.models import AppealDay, AppealFact
from linli.dashboard.selectors import static_counts
from linli.registry.models import Place, PlaceKind

COMPOUND_DEPTH, BUILDING_DEPTH = 4, 5  # district / street / community / compound / building


def _paths(place: Place) -> tuple[str, str]:
    if place.kind == PlaceKind.COMMUNITY or len(place.path) < Place.steplen * COMPOUND_DEPTH:
        return "", ""
    compound = place.path[: Place.steplen * COMPOUND_DEPTH]
    building = place.path[: Place.steplen * BUILDING_DEPTH] if len(place.path) >= Place.steplen * BUILDING_DEPTH else ""
    return compound, building


def appeal_fact_record(*, appeal: Appeal, action: str, at: datetime | None = None) -> AppealFact:
    """Bring the appeal's fact up to date after ``action`` happened at ``at`` (now by default)."""
    at = at or timezone.now()
    fact = AppealFact.objects.select_for_update().filter(pk=appeal.pk).first()
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
    elif action in ("resolve", "council_resolve"):
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
    fact.save()
    _recount_day(fact.community_id, fact.created_on)
    return fact


def _recount_day(community_id: int, day) -> None:
    """Recount the community's day from its facts under the summary row's lock: two changes
    on one day wait for each other, and the second counts after the first has committed."""
    row, _created = AppealDay.objects.get_or_create(community_id=community_id, day=day)
    AppealDay.objects.select_for_update().filter(pk=row.pk).first()
    counts = static_counts(AppealFact.objects.filter(community_id=community_id, created_on=day))
    AppealDay.objects.filter(pk=row.pk).update(**counts)
