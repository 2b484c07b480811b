"""The monthly report (月报) of a community or a street: the month's figures beside the previous
month's, the communities side by side (a street), by category, by grid, by week, and 双评 (a
community) — as data for the printable page and as an Excel workbook with a chart. Every figure
comes from the dashboard's selectors, so the report says what the dashboard says."""

from __future__ import annotations

from datetime import datetime
from io import BytesIO

from django.utils import timezone
from django.utils.translation import gettext as _

from linli.appeals.models import Category, Level
from linli.dashboard import selectors
from linli.dashboard.access import communities_of
from linli.dashboard.definitions import APPEAL_FIGURES
from linli.dashboard.selectors import Period, Rate
from linli.registry.models import Grid, Place, PlaceKind

REPORT_FIGURES = (
    "total",
    "valid",
    "response",
    "on_time",
    "solved",
    "satisfied",
    "unrated",
    "revisited",
    "overdue",
    "sign_overdue",
    "supervised",
    "sign_days",
    "resolve_days",
)


def shown(value) -> str | int:
    if isinstance(value, Rate):
        return "—" if value.percent is None else f"{value.percent}%"
    if value is None:
        return "—"
    return value if isinstance(value, int) else str(value)


def report_data(place: Place, period: Period, *, now: datetime | None = None) -> dict:
    now = now or timezone.now()
    communities = [place] if place.kind == PlaceKind.COMMUNITY else list(communities_of(place))
    ids = [c.pk for c in communities]
    previous = period.previous()
    current = selectors.summary_figures(community_ids=ids, start=period.start, end=period.end, now=now)
    before = selectors.summary_figures(community_ids=ids, start=previous.start, end=previous.end, now=now)
    names = {f.code: f.name for f in APPEAL_FIGURES}
    figures = [(str(names[code]), shown(current[code]), shown(before[code])) for code in REPORT_FIGURES]
    closed_at = _("办结层级")
    figures += [(f"{closed_at}·{label}", shown(current["levels"][code]), shown(before["levels"][code])) for code, label in Level.choices]
    facts = selectors.facts_in(community_ids=ids, start=period.start, end=period.end)
    by_category = selectors.breakdown(facts, "category_id", now=now)
    categories = dict(Category.objects.filter(pk__in=[r["key"] for r in by_category if r["key"]]).values_list("pk", "name"))
    by_grid = selectors.breakdown(facts, "grid_id", now=now, limit=500) if place.kind == PlaceKind.COMMUNITY else []
    grids = dict(Grid.objects.filter(pk__in=[r["key"] for r in by_grid if r["key"]]).values_list("pk", "name"))
    area = selectors.area_rows(community_ids=ids, period=period, now=now) if place.kind != PlaceKind.COMMUNITY else {}
    return {
        "place": place,
        "period": period,
        "previous": previous,
        "figures": figures,
        "communities": [(c.name, area[c.pk]) for c in communities] if area else [],
        "by_category": [(categories.get(r["key"], _("未分类")), r) for r in by_category],
        "by_grid": [(grids.get(r["key"], _("未划入网格")), r) for r in by_grid],
        "weeks": selectors.weekly_trend(facts, period),
        "property": selectors.property_evaluation(community=place, period=period, now=now) if place.kind == PlaceKind.COMMUNITY else [],
    }


def _row(ws, values) -> None:
    """Append a row; a name that starts like a formula stays text (Linli never writes formulas)."""
    ws.append(list(values))
    for cell in ws[ws.max_row]:
        if isinstance(cell.value, str):
            cell.data_type = "s"


def _rates(r: dict) -> list:
    return [r["total"], shown(r["response"]), shown(r["on_time"]), shown(r["solved"]), shown(r["satisfied"]), r["overdue"]]


def workbook(data: dict) -> bytes:
    from openpyxl import Workbook
    from openpyxl.chart import BarChart, Reference
    from openpyxl.styles import Font

    wb = Workbook()
    ws = wb.active
    ws.title = _("概览")
    p, q = data["period"], data["previous"]
    _row(ws, [f"{data['place'].name} {p.start:%Y-%m} {_('月报')}"])
    ws["A1"].font = Font(bold=True, size=14)
    _row(ws, [_("指标"), f"{p.start:%Y-%m-%d}–{p.end:%Y-%m-%d}", f"{q.start:%Y-%m-%d}–{q.end:%Y-%m-%d}"])
    for name, now_value, before_value in data["figures"]:
        _row(ws, [name, now_value, before_value])
    ws.column_dimensions["A"].width = 28
    heading = [_("诉求"), _("响应率"), _("按时办结率"), _("解决率"), _("满意率"), _("超期")]
    if data["communities"]:
        sheet = wb.create_sheet(_("各社区"))
        _row(sheet, [_("社区"), *heading])
        for name, f in data["communities"]:
            _row(
                sheet,
                [name, f["total"], shown(f["response"]), shown(f["on_time"]), shown(f["solved"]), shown(f["satisfied"]), f["overdue"]],
            )
    for title, rows in ((_("按分类"), data["by_category"]), (_("按网格"), data["by_grid"])):
        if rows:
            sheet = wb.create_sheet(title)
            _row(sheet, [title.removeprefix("按"), *heading])
            for name, r in rows:
                _row(sheet, [name, *_rates(r)])
    sheet = wb.create_sheet(_("按周"))
    _row(sheet, [_("周（周一）"), _("提交"), _("已办结")])
    for w in data["weeks"]:
        _row(sheet, [f"{w['week']:%Y-%m-%d}", w["total"], w["done"]])
    if data["weeks"]:
        chart = BarChart()
        chart.title = _("按周趋势")
        chart.add_data(Reference(sheet, min_col=2, max_col=3, min_row=1, max_row=len(data["weeks"]) + 1), titles_from_data=True)
        chart.set_categories(Reference(sheet, min_col=1, min_row=2, max_row=len(data["weeks"]) + 1))
        sheet.add_chart(chart, "E2")
    if data["property"]:
        sheet = wb.create_sheet(_("物业双评"))
        _row(sheet, [_("物业公司"), _("主办诉求"), _("居民满意率"), _("按时办结率"), _("退单"), _("社区评分")])
        for r in data["property"]:
            _row(
                sheet,
                [
                    r["company"].name,
                    r["total"],
                    shown(r["satisfied"]),
                    shown(r["on_time"]),
                    r["returns"],
                    r["score"].score if r["score"] else "—",
                ],
            )
    out = BytesIO()
    wb.save(out)
    return out.getvalue()
