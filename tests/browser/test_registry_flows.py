"""The registry's main flows, clicked through as a person would."""

import pytest
from openpyxl import Workbook
from playwright.sync_api import expect

from linli.core.models import AuditEntry
from linli.registry import excel
from linli.registry.models import Resident
from tests.browser.conftest import PHONE
from tests.conftest import make_id

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_staff_finds_a_resident_by_pinyin_and_reveals_the_id(world, page_for, live_server):
    page = page_for(world.user("staff"))
    page.click("text=居民")
    page.fill("input[name=q]", "zs")
    page.wait_for_selector("#resident-rows >> text=李四", state="detached")
    expect(page.locator("#resident-rows >> text=张三")).to_be_visible()
    page.click("#resident-rows >> text=张三")
    assert page.locator("#id_number").inner_text() == world.resident.id_number_masked
    page.click("[data-reveal=id_number]")
    page.wait_for_selector(f"#id_number >> text={world.resident.id_number}")
    assert AuditEntry.objects.filter(action="reveal", actor=world.user("staff"), target_id=str(world.resident.pk)).exists()


def test_grid_worker_on_a_phone_sees_her_grid_only(world, page_for, live_server):
    page = page_for(world.user("gridworker"), viewport=PHONE)
    page.click("label.menu-button")  # on a phone the menu folds behind one button
    page.click('nav.menu >> text="网格"')
    page.click("text=第1网格")
    # The click only starts the navigation: wait for the grid's page, not for a fixed time.
    expect(page.locator("table.residents >> text=张三")).to_be_visible()
    assert page.locator("text=李四").count() == 0
    # The table fits the phone: no horizontal page scroll beyond the viewport for the header.
    assert page.evaluate("document.querySelector('h1').getBoundingClientRect().right") <= PHONE["width"]
    page.goto(f"{live_server.url}/registry/residents/{world.other_resident.pk}/")
    assert "李四" not in page.content()


def test_staff_imports_an_excel_file_and_sees_the_errors_then_the_result(world, page_for, live_server, tmp_path):
    page = page_for(world.user("staff"))
    page.click("header nav >> text=导入")

    def write(rows, name):
        wb = Workbook()
        ws = wb.active
        ws.append(excel.header_labels())
        for r in rows:
            ws.append(r)
        path = tmp_path / name
        wb.save(path)
        return path

    bad = write([["N1", "阳光花园", "1栋", "1单元", "101", "钱一", "", "110101199003070016", "", "户主", "户籍人口", ""]], "bad.xlsx")
    page.set_input_files("input[name=file]", str(bad))
    page.click("text=上传并校验")
    page.wait_for_selector("text=未导入任何数据")
    assert "校验位" in page.content()
    assert not Resident.objects.filter(name="钱一").exists()

    page.click("header nav >> text=导入")
    good = write([["N1", "阳光花园", "1栋", "1单元", "101", "钱一", "", make_id(), "", "户主", "户籍人口", "党员"]], "good.xlsx")
    page.set_input_files("input[name=file]", str(good))
    page.click("text=上传并校验")
    page.wait_for_selector("text=新增 1 人")
    assert Resident.objects.filter(name="钱一").exists()
