"""Every read of projects beyond a ``.get``: the public page's figures (money summed in the
database as Decimal), lists with their progress."""

from __future__ import annotations

from decimal import Decimal

from django.db.models import Count, DecimalField, Q, QuerySet, Sum, Value
from django.db.models.functions import Coalesce
from django.http import Http404

from linli.projects.models import Decision, Funding, Item, ItemStatus, Progress, Project

ZERO = Value(Decimal("0"), output_field=DecimalField(max_digits=14, decimal_places=2))


def project_or_404(pk: int) -> Project:
    project = Project.objects.select_related("community", "resolution__topic__council").filter(pk=pk).first()
    if project is None:
        raise Http404
    return project


def project_places(community) -> QuerySet:
    """Where a project of this community may be: the community, its compounds and buildings."""
    from linli.registry.models import Place, PlaceKind

    kinds = (PlaceKind.COMMUNITY, PlaceKind.COMPOUND, PlaceKind.BUILDING)
    return Place.objects.filter(path__startswith=community.path, kind__in=kinds).order_by("path")


def projects_of(community) -> QuerySet:
    return (
        Project.objects.filter(community=community)
        .annotate(
            items_n=Count("items", distinct=True),
            items_done=Count("items", filter=Q(items__status=ItemStatus.DONE), distinct=True),
        )
        .order_by("-created_at", "-id")
    )


def money(project: Project) -> dict:
    """Budget, pledged and received, by source and in all — exact (Decimal, summed in SQL)."""
    budget = Item.objects.filter(project=project).aggregate(n=Coalesce(Sum("budget"), ZERO))["n"]
    by_source = list(
        Funding.objects.filter(project=project)
        .values("source")
        .annotate(pledged=Coalesce(Sum("pledged"), ZERO), received=Coalesce(Sum("received"), ZERO))
        .order_by("source")
    )
    cent = Decimal("0.01")
    for r in by_source:  # SQLite hands back sums without their scale: yuan and fen, always
        r["pledged"], r["received"] = r["pledged"].quantize(cent), r["received"].quantize(cent)
    budget = budget.quantize(cent)
    pledged = sum((r["pledged"] for r in by_source), Decimal("0.00"))
    received = sum((r["received"] for r in by_source), Decimal("0.00"))
    return {"budget": budget, "pledged": pledged, "received": received, "gap": max(budget - pledged, Decimal("0")), "by_source": by_source}


def page(project: Project) -> dict:
    items = list(project.items.all())
    progress = {}
    for p in Progress.objects.filter(item__project=project).select_related("by").order_by("-at", "-id"):
        progress.setdefault(p.item_id, []).append(p)
    for item in items:
        item.history = progress.get(item.pk, [])
    signoffs = list(project.signoffs.prefetch_related("refused_items"))
    return {
        "items": items,
        "done_items": sum(1 for i in items if i.status == ItemStatus.DONE),
        "fundings": list(project.fundings.prefetch_related("receipts")),
        "money": money(project),
        "signoffs": signoffs,
        "signed": sum(1 for s in signoffs if s.decision == Decision.SIGNED),
        "places": list(project.places.all()),
    }


def answered_appeals(project: Project, *, scope) -> list:
    """The appeals a project answers, for its public page: each as the public board shows an appeal
    (number, category, place down to the building, status); the resident's own words only on the
    rows this viewer sees in full (``viewer_full``: reporter, handler, in reach)."""
    from linli.appeals.access import appeal_rows

    return list(appeal_rows(scope, project.appeals.select_related("category", "place").order_by("number")))
