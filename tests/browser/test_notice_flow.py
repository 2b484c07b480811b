"""A notice down the tree, on phones: staff publish an urgent notice to a compound, the resident
reads it on a phone, the building head sees on a phone who in the stairwell has not read it,
marks a neighbour told at the door and reminds the rest."""

import pytest

from linli.notices.models import Notice, Receipt
from linli.registry.models import Place
from tests.browser.conftest import PHONE
from tests.notices.conftest import add_people

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _fits(page):
    assert page.evaluate("document.documentElement.scrollWidth") <= 390


def test_building_head_sees_who_has_not_read_on_a_phone(world, page_for, live_server):
    add_people(world, world.building, 2, prefix="邻居")
    compound = Place.objects.get(path=world.building.path[: -Place.steplen])

    desk = page_for(world.user("staff"))
    desk.goto(f"{live_server.url}/notices/new/{world.community.pk}/")
    desk.select_option("select[name=target]", f"place:{compound.pk}")
    desk.fill("input[name=title]", "明日停水通知")
    desk.fill("textarea[name=body]", "明天8:00—14:00停水，请提前储水。")
    desk.select_option("select[name=priority]", "urgent")
    desk.click("button:has-text('发布')")
    desk.wait_for_selector("text=通知已发布")
    notice = Notice.objects.get()
    assert notice.recipients == Receipt.objects.filter(notice=notice).count() == 4

    phone = page_for(world.user("resident"), viewport=PHONE)
    phone.goto(f"{live_server.url}/notices/")
    phone.click("text=明日停水通知")
    phone.wait_for_selector("text=请提前储水")
    _fits(phone)

    head = page_for(world.user("buildinghead"), viewport=PHONE)
    head.goto(f"{live_server.url}/notices/{notice.pk}/")
    head.click("text=未读名单")
    text = head.inner_text("main")
    assert "邻居0" in text and "邻居1" in text and "张三" not in text and "李四" not in text  # read / not the building's
    _fits(head)
    head.locator("li", has_text="邻居0").locator("button:has-text('已当面告知')").click()
    head.wait_for_selector("text=已登记上门告知")
    assert "邻居0" not in head.inner_text("main ul")
    head.click("button:has-text('提醒未读')")
    head.wait_for_selector("text=已提醒未读的居民")
    assert list(Receipt.objects.filter(notice=notice, reminders=1).values_list("resident__name", flat=True)) == ["邻居1"]
    _fits(head)


def test_staff_pick_a_list_group_from_the_registry(world, page_for, live_server):
    from linli.notices.models import Group

    people = add_people(world, world.building, 3, prefix="楼道志愿者")
    desk = page_for(world.user("staff"))
    desk.goto(f"{live_server.url}/notices/groups/{world.community.pk}/")
    desk.click("summary >> text=新建群组")
    desk.fill("input[name=name]", "楼道志愿者联络群")
    desk.select_option("select[name=source]", "list")
    desk.fill("input[name=q]", "楼道志愿者")
    desk.wait_for_selector("#found li:has-text('楼道志愿者2')")
    for name in ("楼道志愿者0", "楼道志愿者2"):
        desk.locator("#found li", has_text=name).locator("button:has-text('加入')").click()
        desk.wait_for_selector(f"#chosen label:has-text('{name}')")
    desk.click("form:has(input[name=name]) button:has-text('保存')")
    desk.wait_for_selector("text=楼道志愿者联络群")
    assert set(Group.objects.get(name="楼道志愿者联络群").members.values_list("pk", flat=True)) == {people[0].pk, people[2].pk}
