"""Every read of notices beyond a ``.get``, always through ``access``: the inbox (urgent first),
a notice's figures per stairwell in the follower's reach, who has not read it, the tree of
groups with its people counted from the registry."""

from __future__ import annotations

from django.db.models import Case, Count, IntegerField, OuterRef, Q, QuerySet, Subquery, Value, When
from django.http import Http404

from linli.accounts.scope import Scope
from linli.notices import access
from linli.notices.models import Group, Notice, Priority, Receipt, Reply
from linli.registry.models import Grid, Place, PlaceKind, Resident
from linli.registry.vocabulary import own_resident_id, path_prefix

# Depth of a stairwell (单元) in the tree: district, street, community, compound, building, unit.


def access_notice(scope: Scope, user, pk: int) -> Notice:
    """Fetch and check in one step: missing and not allowed are the same 404."""
    notice = Notice.objects.select_related("community", "published_by", "place", "grid", "group").filter(pk=pk).first()
    if notice is None or not access.can_view(scope, user, notice):
        raise Http404
    return notice


def inbox(scope: Scope, user) -> QuerySet:
    """Urgent notices first (停水停电), then the newest; with my own receipt's reading time and
    how many have read it."""
    rid = own_resident_id(user) or 0
    mine = Receipt.objects.filter(notice=OuterRef("pk"), resident_id=rid)
    read = (
        Receipt.objects.filter(notice=OuterRef("pk"), read_at__isnull=False).order_by().values("notice").annotate(n=Count("pk")).values("n")
    )
    return (
        access.visible_notices(scope, user)
        .select_related("community")
        .annotate(
            urgent=Case(When(priority=Priority.URGENT, then=Value(0)), default=Value(1), output_field=IntegerField()),
            my_read_at=Subquery(mine.values("read_at")[:1]),
            mine=Subquery(mine.values("pk")[:1]),
            read_count=Subquery(read, output_field=IntegerField()),
        )
        .order_by("urgent", "-published_at", "-id")
    )


def _unit_path():
    return path_prefix("dwelling__path", PlaceKind.UNIT)


def stairwell_figures(scope: Scope, notice: Notice) -> dict:
    """Read and unread per stairwell, in the follower's reach: three queries whatever the size."""
    receipts = access.followed_receipts(scope, notice)
    rows = list(
        receipts.annotate(unit_path=_unit_path())
        .values("unit_path")
        .annotate(total=Count("pk"), read=Count("pk", filter=Q(read_at__isnull=False)), door=Count("pk", filter=Q(read_via="door")))
        .order_by("unit_path")
    )
    units = {p.path: p for p in Place.objects.filter(path__in=[r["unit_path"] for r in rows]).only("pk", "path", "name", "address")}
    for r in rows:
        r["unit"] = units.get(r["unit_path"])
        r["unread"] = r["total"] - r["read"]
        r["percent"] = round(100 * r["read"] / r["total"]) if r["total"] else 0
    total = sum(r["total"] for r in rows)
    read = sum(r["read"] for r in rows)
    by_via = dict(receipts.filter(read_at__isnull=False).values_list("read_via").annotate(n=Count("pk")).order_by())
    return {
        "rows": rows,
        "total": total,
        "read": read,
        "unread": total - read,
        "percent": round(100 * read / total) if total else 0,
        "by_via": by_via,
    }


def unread(scope: Scope, notice: Notice, unit: Place | None = None) -> QuerySet:
    """Who in the follower's reach has not read it, stairwell by stairwell, room by room."""
    qs = access.followed_receipts(scope, notice).filter(read_at__isnull=True)
    if unit is not None:
        qs = qs.filter(dwelling__path__startswith=unit.path)
    return (
        qs.select_related("resident", "dwelling")
        .only("pk", "reminders", "reminded_at", "resident__name", "dwelling__address", "dwelling__path")
        .annotate(unit_path=_unit_path())
        .order_by("dwelling__path", "resident_id")
    )


def replies(scope: Scope, user, notice: Notice) -> QuerySet:
    qs = Reply.objects.filter(notice=notice).select_related("author", "appeal")
    if access.can_manage(scope, notice.community) or notice.published_by_id == user.pk:
        return qs
    return qs.filter(author=user)


def tree(community: Place) -> dict:
    """The community's tree of groups — community, compounds, buildings, stairwells, grids —
    each with the people it reaches counted from the registry (two aggregate queries)."""
    nodes = list(
        Place.objects.filter(path__startswith=community.path, kind__in=access.TREE_KINDS)
        .only("pk", "path", "name", "kind", "depth")
        .order_by("path")
    )
    people = Resident.objects.filter(is_active=True, household__dwelling__path__startswith=community.path)
    by_unit = dict(
        people.annotate(p=path_prefix("household__dwelling__path", PlaceKind.UNIT)).values_list("p").annotate(n=Count("pk")).order_by()
    )
    for node in nodes:
        node.people = sum(n for p, n in by_unit.items() if p.startswith(node.path))
    grids = list(Grid.objects.filter(community=community).order_by("code"))
    by_grid = dict(people.values_list("household__dwelling__grid_id").annotate(n=Count("pk")).order_by())
    for g in grids:
        g.people = by_grid.get(g.pk, 0) + sum(by_grid.get(c.pk, 0) for c in grids if c.parent_id == g.pk)
    counts = {kind: sum(1 for n in nodes if n.kind == kind) for kind in (PlaceKind.COMPOUND, PlaceKind.BUILDING, PlaceKind.UNIT)}
    return {"nodes": nodes, "grids": grids, "counts": counts, "people": sum(by_unit.values())}


def group_candidates(scope: Scope, community: Place, *, query: str = "") -> QuerySet:
    """People the member picker may offer: the community's registered residents this person may
    see in the registry, found by name, pinyin or a phone's last four digits."""
    from linli.registry.selectors import resident_list

    return resident_list(scope, query=query, place=community)


def groups(community: Place) -> list[Group]:
    """Ad-hoc groups with their people counted in the query (a list, a council's members with an
    account in the registry, a team's volunteers who are residents)."""
    from linli.councils.models import Member
    from linli.volunteers.models import Membership

    council_n = (
        Member.objects.filter(council_id=OuterRef("council_id"), user__resident__isnull=False)
        .order_by()
        .values("council_id")
        .annotate(n=Count("pk"))
        .values("n")
    )
    team_n = (
        Membership.objects.filter(team_id=OuterRef("team_id"), volunteer__resident__isnull=False)
        .order_by()
        .values("team_id")
        .annotate(n=Count("pk"))
        .values("n")
    )
    tag_n = (
        Resident.objects.filter(is_active=True, household__dwelling__path__startswith=community.path, care_tags=OuterRef("tag_id"))
        .order_by()
        .annotate(k=Value(1))
        .values("k")
        .annotate(n=Count("pk"))
        .values("n")
    )
    out = list(
        Group.objects.filter(community=community)
        .select_related("council", "team", "tag")
        .annotate(
            list_n=Count("members", distinct=True),
            council_n=Subquery(council_n, output_field=IntegerField()),
            team_n=Subquery(team_n, output_field=IntegerField()),
            tag_n=Subquery(tag_n, output_field=IntegerField()),
        )
    )
    for g in out:
        g.people = {"council": g.council_n, "team": g.team_n, "tag": g.tag_n}.get(g.source, g.list_n) or 0
    return out
