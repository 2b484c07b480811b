"""Every read of mediation beyond a ``.get``, always through ``access``."""

from __future__ import annotations

from django.db.models import Count, Q, QuerySet
from django.http import Http404

from linli.accounts.scope import Scope
from linli.mediation import access
from linli.mediation.models import Case, CaseKind, CaseStatus, Mediator
from linli.registry.models import Place


def access_case(scope: Scope, user, pk: int) -> Case:
    """Fetch and check in one step: missing and not allowed are the same 404."""
    case = Case.objects.select_related("community", "place", "appeal", "opened_by").filter(pk=pk).first()
    if case is None or not access.can_view_case(scope, user, case):
        raise Http404
    return case


def case_list(scope: Scope, user) -> QuerySet:
    return (
        access.visible_cases(scope, user)
        .select_related("community")
        .annotate(parties_n=Count("parties", distinct=True), sessions_n=Count("sessions", distinct=True))
        .order_by("-opened_at", "-id")
    )


def roster(community: Place) -> QuerySet:
    return (
        Mediator.objects.filter(community=community)
        .select_related("user")
        .annotate(open_cases=Count("assignments", filter=~Q(assignments__case__status__in=CaseStatus.closed())))
        .order_by("-active", "kind", "name")
    )


def figures(place: Place) -> dict:
    """Counts by type and outcome under a place (a community or a street) — no names, no text."""
    rows = Case.objects.filter(community__path__startswith=place.path).values("kind", "status").annotate(n=Count("pk")).order_by()
    table = {k: {s: 0 for s in CaseStatus.values} for k in CaseKind.values}
    for r in rows:
        table[r["kind"]][r["status"]] += r["n"]
    holds = dict(
        Case.objects.filter(community__path__startswith=place.path, status=CaseStatus.AGREED)
        .values_list("holds")
        .annotate(n=Count("pk"))
        .order_by()
    )
    total = sum(sum(v.values()) for v in table.values())
    agreed = sum(v[CaseStatus.AGREED] for v in table.values())
    closed = sum(v[s] for v in table.values() for s in CaseStatus.closed())
    return {
        "rows": [(CaseKind(k).label, [v[s] for s in CaseStatus.values], sum(v.values())) for k, v in table.items() if sum(v.values())],
        "statuses": [CaseStatus(s).label for s in CaseStatus.values],
        "total": total,
        "agreed": agreed,
        "success_rate": round(100 * agreed / closed) if closed else None,
        "holds": holds.get(True, 0),
        "broken": holds.get(False, 0),
        "not_visited": holds.get(None, 0),
    }
