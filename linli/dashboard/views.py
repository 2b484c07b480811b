"""The dashboard's pages: thin — access decides, selectors count, templates show."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import BadRequest
from django.core.paginator import Paginator
from django.db.models import BooleanField as Bool
from django.db.models import Case, When
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from linli.accounts.models import User
from linli.accounts.scope import scope_for
from linli.appeals.access import visible_appeals
from linli.appeals.models import Appeal, Category, Level
from linli.core.errors import form_messages, post_action
from linli.core.replica import reporting
from linli.dashboard import access, selectors, services
from linli.dashboard.access import Subject
from linli.dashboard.definitions import APPEAL_FIGURES, WORK_FIGURES
from linli.dashboard.forms import FigureListForm, PeriodForm, PropertyScoreForm, ReportForm
from linli.dashboard.models import MonthlyReport
from linli.registry.models import Grid, Organisation, Place, PlaceKind
from linli.registry.vocabulary import street_path

# The figures shown as tiles, in order; each opens the list of its appeals.
TILES = ("total", "response", "on_time", "solved", "satisfied", "revisited", "overdue", "sign_overdue", "supervised")


def _period(request):
    form = PeriodForm(request.GET)
    if not form.is_valid():
        raise BadRequest("; ".join(form_messages(form)))
    return form.period()


def _subject_or_404(request, kind: str, pk: int) -> Subject:
    scope = scope_for(request.user)
    if kind == "grid":
        grid = Grid.objects.select_related("community").filter(pk=pk).first()
        if grid is None or not access.can_view_grid(scope, grid):
            raise Http404
        return Subject("grid", grid)
    place = Place.objects.filter(pk=pk).first()
    if place is None:
        raise Http404
    if kind == "building" and access.can_view_building(scope, place):
        return Subject("building", place)
    if kind == "place" and access.can_view_area(scope, place):
        return Subject("place", place)
    raise Http404


@login_required
def home(request):
    subject = access.home_subject(scope_for(request.user))
    if subject is None:
        raise Http404
    return redirect(_subject_url(subject))


def _subject_url(subject: Subject) -> str:
    name = {"place": "dashboard:area", "grid": "dashboard:grid", "building": "dashboard:building"}[subject.kind]
    return reverse(name, args=[subject.obj.pk])


def _tiles(subject: Subject, figures: dict, previous: dict, query: str) -> list[dict]:
    names = {f.code: f for f in APPEAL_FIGURES}
    out = []
    for code in TILES:
        out.append(
            {
                "code": code,
                "name": names[code].name,
                "definition": names[code].definition,
                "value": figures[code],
                "is_rate": isinstance(figures[code], selectors.Rate),
                "previous": previous[code],
                "url": f"{reverse('dashboard:appeals')}?kind={subject.kind}&id={subject.obj.pk}&figure={code}&{query}",
            }
        )
    return out


def _names(model, keys, attr="name") -> dict:
    return dict(model.objects.filter(pk__in=[k for k in keys if k is not None]).values_list("pk", attr))


def _period_query(period) -> str:
    return f"start={period.start:%Y-%m-%d}&end={period.end:%Y-%m-%d}"


def _subject_page(request, subject: Subject):
    period = _period(request)
    previous = period.previous()
    now = timezone.now()
    facts = access.facts_for(subject)
    current_facts = facts.filter(created_on__gte=period.start, created_on__lte=period.end)
    figures = selectors.appeal_figures(current_facts, now=now)
    before = selectors.appeal_figures(facts.filter(created_on__gte=previous.start, created_on__lte=previous.end), now=now)
    base = f"{reverse('dashboard:appeals')}?kind={subject.kind}&id={subject.obj.pk}&{_period_query(period)}"
    in_grid = f"{reverse('dashboard:appeals')}?kind=grid&{_period_query(period)}"

    def rows(field, facts_, labels: dict, default="", url=None):
        """One breakdown: figures per value of ``field``, each row named and, where it can, linked to its appeals."""
        found = selectors.breakdown(facts_, field, now=now)
        names = labels(r["key"] for r in found if r["key"] is not None)
        return [
            {**r, "label": names.get(r["key"], (None, default))[1], "url": url(names[r["key"]][0]) if url and r["key"] in names else ""}
            for r in found
        ]

    def by_pk(model, attr="name"):
        return lambda keys: {pk: (pk, name) for pk, name in model.objects.filter(pk__in=list(keys)).values_list("pk", attr)}

    def people(keys):
        return {u.pk: (u.pk, str(u)) for u in User.objects.filter(pk__in=list(keys)).only("display_name", "username")}

    def by_path(keys):
        return {p: (pk, name) for p, pk, name in Place.objects.filter(path__in=[k for k in keys if k]).values_list("path", "pk", "name")}

    breakdowns = [(_("按分类"), rows("category_id", current_facts, by_pk(Category), _("未分类"), lambda pk: f"{base}&category={pk}"))]
    if subject.kind != "building":
        breakdowns += [
            (_("按网格"), rows("grid_id", current_facts, by_pk(Grid), _("未划入网格"), lambda pk: f"{in_grid}&id={pk}")),
            (_("按承办人（主办）"), rows("lead_user_id", current_facts.filter(lead_user__isnull=False), people)),
            (
                _("按承办单位（主办）"),
                rows("lead_organisation_id", current_facts.filter(lead_organisation__isnull=False), by_pk(Organisation)),
            ),
            (_("按小区"), rows("compound_path", current_facts, by_path, _("社区范围"), lambda pk: f"{base}&compound={pk}")),
        ]
    else:
        breakdowns.append((_("按楼栋"), rows("building_path", current_facts, by_path, _("社区范围"))))
    trend = selectors.weekly_trend(facts, period)
    levels = [(label, figures["levels"][code]) for code, label in Level.choices]
    community_page = subject.kind == "place"
    chart = {
        "weeks": [f"{r['week']:%m-%d}" for r in trend],
        "total": [r["total"] for r in trend],
        "done": [r["done"] for r in trend],
        "heat": _heat(current_facts) if subject.kind == "place" else [],
        "labels": {"total": _("提交"), "done": _("已办结"), "heat": _("诉求来源")},
    }
    return render(
        request,
        "dashboard/subject.html",
        {
            "subject": subject,
            "period": period,
            "previous": previous,
            "tiles": _tiles(subject, figures, before, _period_query(period)),
            "figures": figures,
            "levels": levels,
            "breakdowns": breakdowns,
            "chart": chart,
            "prev_month": f"{previous.start:%Y-%m}",
            "people": selectors.population([subject.obj.pk]) if community_page else None,
            "work": _work(subject.obj, period, now) if community_page else [],
            "three_without": selectors.three_without_compounds(subject.obj, period, now=now) if community_page else [],
            "services": _services(request, subject.obj, period) if community_page else None,
        },
    )


def _services(request, community, period) -> dict | None:
    """为民服务 for the same period (orders, times, ratings, meals, bookings), where the viewer may
    see the services' figures."""
    from linli.accounts.scope import scope_for
    from linli.registry.models import PlaceKind
    from linli.resident_services import access as service_access
    from linli.resident_services import selectors as service_selectors

    if community.kind != PlaceKind.COMMUNITY or not service_access.can_view_figures(scope_for(request.user), community):
        return None
    return {"start": period.start, "end": period.end, "f": service_selectors.figures(community, period.start, period.end)}


def _work(community, period, now) -> list[dict]:
    values = selectors.work_figures(community, period, now=now)
    return [
        {"name": f.name, "definition": f.definition, "value": values[f.code], "is_rate": isinstance(values[f.code], selectors.Rate)}
        for f in WORK_FIGURES
    ]


def _heat(facts) -> list[dict]:
    """Where appeals come from: compounds, and inside each its buildings (an ECharts treemap)."""
    rows = list(facts.exclude(compound_path="").values_list("compound_path", "building_path").order_by())
    counts: dict[str, dict[str, int]] = {}
    for compound, building in rows:
        counts.setdefault(compound, {})
        counts[compound][building] = counts[compound].get(building, 0) + 1
    names = dict(Place.objects.filter(path__in=[*counts, *(b for c in counts.values() for b in c if b)]).values_list("path", "name"))
    return [
        {
            "name": names.get(c, ""),
            "value": sum(b.values()),
            "children": [{"name": names.get(p, _("小区公共区域")), "value": n} for p, n in sorted(b.items(), key=lambda x: -x[1])],
        }
        for c, b in sorted(counts.items(), key=lambda x: -sum(x[1].values()))
    ]


@login_required
@reporting()
def area(request, pk):
    subject = _subject_or_404(request, "place", pk)
    if subject.obj.kind == PlaceKind.COMMUNITY:
        return _subject_page(request, subject)
    return _area_page(request, subject)


def _area_page(request, subject: Subject):
    """A street or the district: its communities side by side, sortable, each opening its dashboard."""
    period = _period(request)
    now = timezone.now()
    communities = list(access.communities_of(subject.obj))
    streets = dict(
        Place.objects.filter(kind=PlaceKind.STREET, path__startswith=street_path(subject.obj.path) or subject.obj.path).values_list(
            "path", "name"
        )
    )
    rows = selectors.area_rows(community_ids=[c.pk for c in communities], period=period, now=now)
    figures = selectors.summary_figures(community_ids=[c.pk for c in communities], start=period.start, end=period.end, now=now)
    previous = period.previous()
    before = selectors.summary_figures(community_ids=[c.pk for c in communities], start=previous.start, end=previous.end, now=now)
    table = [{"community": c, "street": streets.get(street_path(c.path), ""), "f": rows[c.pk]} for c in communities]
    sort = request.GET.get("sort", "")
    keys = {
        "total": lambda r: r["f"]["total"],
        "response": lambda r: r["f"]["response"].percent or -1,
        "on_time": lambda r: r["f"]["on_time"].percent or -1,
        "solved": lambda r: r["f"]["solved"].percent or -1,
        "satisfied": lambda r: r["f"]["satisfied"].percent or -1,
        "overdue": lambda r: r["f"]["overdue"],
    }
    if sort and sort.lstrip("-") not in keys:
        raise BadRequest(_("排序字段无效。"))
    if sort:
        table.sort(key=keys[sort.lstrip("-")], reverse=sort.startswith("-"))
    ids = [c.pk for c in communities]
    extra = {"people": selectors.population(ids), "three_without": selectors.three_without_compounds(subject.obj, period, now=now)}
    chart = {
        "names": [r["community"].name for r in table],
        "total": [r["f"]["total"] for r in table],
        "overdue": [r["f"]["overdue"] for r in table],
        "labels": {"total": _("诉求总数"), "overdue": _("超期未办结")},
    }
    return render(
        request,
        "dashboard/area.html",
        {
            "subject": subject,
            "period": period,
            "previous": previous,
            "tiles": _tiles(subject, figures, before, _period_query(period)),
            "table": table,
            **extra,
            "sort": sort,
            "query": _period_query(period),
            "chart": chart,
            "prev_month": f"{previous.start:%Y-%m}",
        },
    )


@login_required
@reporting()
def grid(request, pk):
    return _subject_page(request, _subject_or_404(request, "grid", pk))


@login_required
@reporting()
def building(request, pk):
    return _subject_page(request, _subject_or_404(request, "building", pk))


@login_required
@reporting()
def figure_appeals(request):
    form = FigureListForm(request.GET)
    if not form.is_valid():
        raise BadRequest("; ".join(form_messages(form)))
    subject = _subject_or_404(request, form.cleaned_data["kind"], form.cleaned_data["id"])
    period = form.period()
    code = form.cleaned_data["figure"]
    now = timezone.now()
    counted, numerator = selectors.figure_sets(now)[code]
    facts = access.facts_for(subject).filter(created_on__gte=period.start, created_on__lte=period.end).filter(counted)
    if form.cleaned_data.get("category"):
        facts = facts.filter(category_id=form.cleaned_data["category"])
    if form.cleaned_data.get("compound"):
        compound = Place.objects.filter(pk=form.cleaned_data["compound"], kind=PlaceKind.COMPOUND).first()
        facts = facts.filter(compound_path=compound.path if compound else "-")
    appeals = visible_appeals(scope_for(request.user), Appeal.objects.filter(pk__in=facts.values("appeal_id")))
    if numerator is not None:
        counts_ids = facts.filter(numerator).values("appeal_id")
        appeals = appeals.annotate(counted=Case(When(pk__in=counts_ids, then=True), default=False, output_field=Bool()))
    page = Paginator(appeals.select_related("category", "place").order_by("-created_at"), 30).get_page(request.GET.get("page"))
    names = {f.code: f for f in APPEAL_FIGURES}
    return render(
        request,
        "dashboard/figure_appeals.html",
        {
            "subject": subject,
            "period": period,
            "figure": names.get(code),
            "code": code,
            "rate": numerator is not None,
            "page": page,
            "back": f"{_subject_url(subject)}?{_period_query(period)}",
        },
    )


@login_required
def definitions(request):
    if not scope_for(request.user).has(access.VIEW_DASHBOARD):
        raise Http404
    return render(request, "dashboard/definitions.html", {"figures": APPEAL_FIGURES, "work": WORK_FIGURES})


@login_required
def property_page(request, pk):
    """双评: each property company's month — residents' ratings, on-time share, returns — and the
    community's own score, entered here by its staff."""
    subject = _subject_or_404(request, "place", pk)
    community = subject.obj
    if community.kind != PlaceKind.COMMUNITY:
        raise Http404
    scope = scope_for(request.user)
    period = _month_only(request)
    may_score = access.can_score_property(scope, community)

    def page(form=None, status=200):
        rows = selectors.property_evaluation(community=community, period=period)
        return render(
            request,
            "dashboard/property.html",
            {"subject": subject, "period": period, "rows": rows, "may_score": may_score, "form": form},
            status=status,
        )

    if request.method == "POST":
        if not may_score:
            raise Http404
        form = PropertyScoreForm(request.POST)
        organisation = None
        if form.is_valid():
            organisation = access.scored_companies(community).filter(pk=form.cleaned_data["organisation"]).first()
            if organisation is None:
                raise Http404
        return post_action(
            request,
            form=form,
            call=lambda d: services.property_score_save(
                actor=request.user, community=community, organisation=organisation, month=d["month"], score=d["score"], note=d["note"]
            ),
            success_url=lambda row: f"{reverse('dashboard:property', args=[community.pk])}?month={row.month:%Y-%m}",
            rerender=lambda: page(form, status=400),
            ok=_("已保存。"),
        )
    return page()


def _month_only(request):
    period = _period(request)
    return selectors.month_period(period.start)


def _report_place(request, pk) -> Place:
    subject = _subject_or_404(request, "place", pk)
    if subject.obj.kind not in (PlaceKind.COMMUNITY, PlaceKind.STREET):
        raise Http404
    return subject.obj


@login_required
def reports(request, pk):
    """月报: request a month's workbook (built in the background), download it, or print the page."""
    place = _report_place(request, pk)
    listed = MonthlyReport.objects.filter(place=place).order_by("-month", "-created_at")[:24]

    def page(form, status=200):
        return render(request, "dashboard/reports.html", {"place": place, "reports": listed, "form": form}, status=status)

    if request.method == "POST":
        form = ReportForm(request.POST)
        return post_action(
            request,
            form=form,
            call=lambda d: services.monthly_report_request(actor=request.user, place=place, month=d["month"]),
            success_url=reverse("dashboard:reports", args=[place.pk]),
            rerender=lambda: page(form),
            ok=_("已开始生成，完成后可在下方下载。"),
        )
    last_month = selectors.month_period(timezone.localdate()).previous().start
    return page(ReportForm(initial={"month": f"{last_month:%Y-%m}"}))


@login_required
def report_download(request, pk):
    report = MonthlyReport.objects.select_related("place").filter(pk=pk, status=MonthlyReport.Status.DONE).first()
    if report is None or not report.file or not access.can_view_area(scope_for(request.user), report.place):
        raise Http404
    return FileResponse(
        report.file.open("rb"),
        as_attachment=True,
        filename=f"{report.place.name}-{report.month:%Y-%m}.xlsx",
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )


@login_required
def report_print(request, pk):
    """The month's report as a page to print (A4)."""
    from linli.dashboard.report import report_data

    place = _report_place(request, pk)
    period = _month_only(request)
    return render(request, "dashboard/report_print.html", {"data": report_data(place, period)})
