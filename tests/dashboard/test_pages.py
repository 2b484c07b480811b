"""The dashboard pages: a figure opens exactly its appeals, bad input is a 400, the query count
does not grow with the appeals, and the street opens on its figures."""

import re
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from linli.appeals import services as appeal_services
from linli.appeals.models import Appeal
from linli.dashboard.models import AppealFact


def make_overdue(appeal):
    """Setup only: move an appeal's completion deadline into the past (the clock, not a change)."""
    past = timezone.now() - timedelta(hours=1)
    Appeal.objects.filter(pk=appeal.pk).update(complete_deadline=past)
    AppealFact.objects.filter(pk=appeal.pk).update(complete_deadline=past)


def dispatched(world, new_appeal, **kw):
    staff = world.user("staff")
    a = new_appeal(**kw)
    appeal_services.appeal_accept(actor=staff, appeal=a)
    return appeal_services.appeal_dispatch(actor=staff, appeal=a, users=[world.user("gridworker")])


def tile_url(html: str, code: str) -> str:
    m = re.search(rf'<a href="([^"]+)"[^>]*data-figure="{code}"', html)
    assert m, f"no tile {code}"
    return m.group(1).replace("&amp;", "&")


def test_the_overdue_figure_opens_exactly_the_overdue_appeals(world, new_appeal, login):
    late = dispatched(world, new_appeal, title="超期的那件")
    dispatched(world, new_appeal, title="按期的那件")
    new_appeal(title="刚提交的那件")
    make_overdue(late)
    client = login(world.user("secretary"))
    page = client.get(reverse("dashboard:area", args=[world.community.pk]))
    assert page.status_code == 200
    html = page.content.decode()
    listing = client.get(tile_url(html, "overdue")).content.decode()
    assert late.number in listing and "按期的那件" not in listing and "刚提交的那件" not in listing
    total = client.get(tile_url(html, "total")).content.decode()
    assert all(t in total for t in ("超期的那件", "按期的那件", "刚提交的那件"))


def test_a_grid_worker_sees_their_grid_and_not_the_community(world, new_appeal, login):
    new_appeal()
    client = login(world.user("gridworker"))
    home = client.get(reverse("dashboard:home"))
    assert home.status_code == 302 and home["Location"] == reverse("dashboard:grid", args=[world.grid.pk])
    assert client.get(home["Location"]).status_code == 200
    assert client.get(reverse("dashboard:area", args=[world.community.pk])).status_code == 404
    assert client.get(reverse("dashboard:grid", args=[world.far_grid.pk])).status_code == 404


def test_the_street_supervisor_opens_on_the_street(world, login):
    client = login(world.user("street"))
    assert client.get("/")["Location"] == reverse("dashboard:home")
    assert client.get(reverse("dashboard:home"))["Location"] == reverse("dashboard:area", args=[world.street.pk])


@pytest.mark.parametrize(
    "query",
    ["month=2025-13", "month=x", "start=2025-01-01", "start=2025-02-01&end=2025-01-01", "start=2024-01-01&end=2025-06-01", "sort=bogus"],
)
def test_bad_period_or_sort_is_a_400(world, login, query):
    client = login(world.user("street"))
    assert client.get(reverse("dashboard:area", args=[world.street.pk]) + "?" + query).status_code == 400


@pytest.mark.parametrize(
    "query", ["figure=bogus&kind=place&id=1", "figure=total&kind=place&id=x", "figure=total&kind=moon&id=1", "figure=total"]
)
def test_bad_figure_list_input_is_a_400(world, login, query):
    assert login(world.user("staff")).get(reverse("dashboard:appeals") + "?" + query).status_code == 400


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


def test_the_query_count_does_not_grow_with_the_appeals(world, new_appeal, login):
    client = login(world.user("staff"))
    street = login(world.user("street"))
    dispatched(world, new_appeal)
    urls = [reverse("dashboard:area", args=[world.community.pk]), reverse("dashboard:grid", args=[world.grid.pk])]
    few = [_queries(client, u) for u in urls] + [_queries(street, reverse("dashboard:area", args=[world.street.pk]))]
    for i in range(12):
        a = dispatched(world, new_appeal, title=f"第{i}件")
        if i % 3 == 0:
            make_overdue(a)
    many = [_queries(client, u) for u in urls] + [_queries(street, reverse("dashboard:area", args=[world.street.pk]))]
    assert few == many


def test_every_figure_lists_as_many_appeals_as_it_counts(world, new_appeal, login):
    from linli.dashboard import selectors
    from linli.dashboard.selectors import Rate

    staff, worker, resident = world.user("staff"), world.user("gridworker"), world.user("resident")
    for i in range(6):
        a = dispatched(world, new_appeal, title=f"件{i}")
        if i >= 2:
            a = appeal_services.appeal_sign(actor=worker, appeal=a)
        if i >= 3:
            a = appeal_services.appeal_resolve(actor=worker, appeal=a, result="好了")
        if i >= 4:
            appeal_services.appeal_rate(actor=resident, appeal=a, rating=5 if i == 4 else 1)
        if i == 1:
            make_overdue(a)
            AppealFact.objects.filter(pk=a.pk).update(sign_deadline=timezone.now() - timedelta(hours=2))
    appeal_services.appeal_reject(actor=staff, appeal=new_appeal(title="不受理"), reason="非社区事务")
    client = login(staff)
    html = client.get(reverse("dashboard:area", args=[world.community.pk])).content.decode()
    today = timezone.localdate()
    period = selectors.month_period(today)
    figures = selectors.appeal_figures(selectors.facts_in(community_ids=[world.community.pk], start=period.start, end=period.end))
    for code in ("total", "response", "on_time", "solved", "satisfied", "revisited", "overdue", "sign_overdue", "supervised"):
        listing = client.get(tile_url(html, code)).content.decode()
        listed = len(re.findall(r'<a href="/appeals/\d+/">', listing))
        value = figures[code]
        expected = value.denominator if isinstance(value, Rate) else value
        assert listed == expected, code
        if isinstance(value, Rate):
            assert listing.count('data-label="计入分子">是') == value.numerator, code


def test_a_category_row_opens_its_appeals(world, new_appeal, login):
    from linli.appeals.models import Category

    other = Category.objects.get(community=None, code="environment")
    a = new_appeal(title="设施的一件")
    b = new_appeal(title="环境的一件", category=other)
    client = login(world.user("staff"))
    html = client.get(reverse("dashboard:area", args=[world.community.pk])).content.decode()
    link = re.search(rf'href="([^"]+category={other.pk}[^"]*&amp;figure=total)"', html)
    assert link
    listing = client.get(link.group(1).replace("&amp;", "&")).content.decode()
    assert b.number in listing and a.number not in listing


def test_a_compound_row_opens_its_appeals(world, new_appeal, login):
    from linli.registry.models import Place, PlaceKind

    here = new_appeal(title="本小区的一件")
    compound = Place.objects.get(path=here.place.path[: Place.steplen * 4], kind=PlaceKind.COMPOUND)
    client = login(world.user("staff"))
    html = client.get(reverse("dashboard:area", args=[world.community.pk])).content.decode()
    link = re.search(rf'href="([^"]+compound={compound.pk}&amp;figure=total)"', html)
    assert link
    assert here.number in client.get(link.group(1).replace("&amp;", "&")).content.decode()
