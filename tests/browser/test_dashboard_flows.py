"""The secretary opens the dashboard and clicks the overdue figure; the street supervisor
compares the communities and drills down to one."""

import pytest

from tests.browser.conftest import DESKTOP
from tests.dashboard.test_pages import dispatched, make_overdue

pytestmark = pytest.mark.browser


def test_the_secretary_clicks_the_overdue_figure_and_sees_those_appeals(world, new_appeal, page_for):
    late = dispatched(world, new_appeal, title="楼道灯超期未修")
    dispatched(world, new_appeal, title="按期办理中")
    make_overdue(late)
    page = page_for(world.user("secretary"), viewport=DESKTOP)
    page.click("nav.menu >> text=看板")
    page.wait_for_selector("ul.tiles")
    assert page.locator("[data-figure=overdue] strong").inner_text() == "1"
    page.click("[data-figure=overdue]")
    page.wait_for_selector("table.figure-appeals")
    rows = page.locator("table.figure-appeals tbody tr")
    assert rows.count() == 1 and late.number in rows.first.inner_text()


def test_the_street_supervisor_compares_and_drills_down(world, new_appeal, page_for):
    dispatched(world, new_appeal, title="和美社区的一件")
    page = page_for(world.user("street"), viewport=DESKTOP)
    page.wait_for_selector("table.compare")
    text = page.locator("table.compare").inner_text()
    assert "和美社区" in text and "新桥社区" in text
    page.click("table.compare >> text=和美社区")
    page.wait_for_selector("h1:has-text('和美社区')")
    assert page.locator("[data-figure=total] strong").inner_text() == "1"
