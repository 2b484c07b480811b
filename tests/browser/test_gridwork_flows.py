"""A grid worker's day on a phone (390×844): start a patrol from the compound's QR poster, turn a
finding into an appeal, end the patrol and see the minutes; visit an overdue household and see
it leave the overdue list. And the staff set a grid up without the admin, on a desktop."""

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from linli.appeals.models import Appeal
from linli.gridwork.models import Finding, Patrol, Visit
from linli.registry.models import Household, Place, PlaceKind
from tests.browser.conftest import DESKTOP, PHONE

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _fits(page):
    return page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]


def test_patrol_by_qr_a_finding_becomes_an_appeal_and_the_minutes_show(world, page_for, live_server):
    compound = Place.objects.get(kind=PlaceKind.COMPOUND, name="阳光花园")
    worker = world.user("gridworker")
    page = page_for(worker, viewport=PHONE)
    # The home page of a grid worker is their day.
    assert "我的一天" in page.text_content("h1")

    # The QR poster at the gate opens the report page; a grid worker gets "start a patrol" on top.
    page.goto(f"{live_server.url}/appeals/report/?place={compound.pk}&qr=1")
    page.click("[data-offer=patrol_start]")
    page.click("main button >> text=开始巡查")
    page.wait_for_selector("text=巡查开始")
    patrol = Patrol.objects.get(worker=worker)
    assert patrol.by_qr and patrol.ended_at is None and _fits(page)

    # 随手记: one tap, a sentence, the appeal is recorded for the residents and linked to the patrol.
    page.click("a.button >> text=记诉求")
    page.select_option("select[name=place]", str(world.building.pk))
    page.fill("textarea[name=description]", "1栋门口井盖松动，有人差点绊倒")
    assert _fits(page)
    page.click("main button >> text=保存")
    page.wait_for_selector("text=已记录")
    appeal = Appeal.objects.get()
    assert appeal.channel == "grid_worker" and Finding.objects.get(patrol=patrol).appeal == appeal
    assert "井盖松动" in page.text_content("main ul.cards")

    # Twenty minutes in the compound (the clock moved on), then the patrol ends.
    now = timezone.localtime()
    minutes = min(20, now.hour * 60 + now.minute)
    Patrol.objects.filter(pk=patrol.pk).update(started_at=timezone.now() - timedelta(minutes=minutes, seconds=5))
    page.click("main button >> text=结束巡查")
    page.wait_for_selector("text=巡查已结束")
    assert f"今天在小区 {minutes} 分钟" in page.text_content(".today")
    assert _fits(page)


def test_visit_an_overdue_household_and_it_leaves_the_list(world, page_for, live_server):
    # 张三 lives alone (every 7 days); his household was registered a month ago and never visited.
    Household.objects.filter(pk=world.household.pk).update(created_at=timezone.now() - timedelta(days=30))
    page = page_for(world.user("gridworker"), viewport=PHONE)
    page.click("a >> text=户已超期")
    address = world.household.dwelling.address
    page.wait_for_selector(f"ul.cards a >> text={address}")
    assert _fits(page)
    page.click(f"ul.cards a >> text={address}")
    page.check("input[name=people_met]")
    page.fill("textarea[name=content]", "老人在家，身体还好，冬天取暖正常。")
    page.fill("textarea[name=needs]", "希望有人陪同去医院复查")
    assert _fits(page)
    page.click("main button >> text=保存")
    page.wait_for_selector("text=走访已登记")
    visit = Visit.objects.get()
    assert list(visit.people_met.all()) == [world.resident]
    page.goto(f"{live_server.url}/gridwork/visits/?tab=overdue")
    assert address not in page.text_content("main ul.cards")
    assert page.text_content("nav.tabs a.current .count").strip() == "0"


def test_staff_set_up_a_grid_and_its_worker_without_the_admin(world, page_for, live_server):
    page = page_for(world.user("staff"), viewport=DESKTOP)
    page.goto(f"{live_server.url}/registry/grids/")
    page.click("a >> text=新建网格")
    page.fill("input[name=name]", "第3网格")
    page.fill("input[name=code]", "341103004001003")
    page.click("main button >> text=保存")
    page.wait_for_selector("h1 >> text=第3网格")
    page.click("a >> text=楼栋划分")
    page.check(f"input[name=buildings][value='{world.other_building.pk}']")
    page.click("main button >> text=划入")
    page.wait_for_selector("text=已完成")
    assert Place.objects.get(pk=world.other_building.pk).grid.name == "第3网格"
    page.click("h1 a")
    page.click("a >> text=网格人员")
    expect(page.locator("main")).to_contain_text("还没有专职网格员")
    page.select_option("select[name=role]", "grid_worker")
    page.fill("input[name=username]", "sunli")
    page.fill("input[name=display_name]", "孙丽")
    page.fill("input[name=password]", "Hemei-2025-pass")
    page.check("input[name=full_time]")
    page.click("main button >> text=添加")
    page.wait_for_selector("td >> text=孙丽")
    assert "还没有专职网格员" not in page.text_content("main")

    # The new worker signs in on a phone and patrols the compound of the building just moved.
    from linli.accounts.models import User

    phone = page_for(User.objects.get(username="sunli"), viewport=PHONE, password="Hemei-2025-pass")
    assert "阳光花园" in phone.text_content("main ul.cards")
