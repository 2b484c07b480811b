"""The appeal's main flow as people do it: a resident reports from a building's QR link on a
phone; staff dispatch on a desktop; the grid worker signs and resolves on a phone; the resident
rates; the result appears on the public board."""

import pytest

from linli.appeals.models import Appeal, Status
from tests.browser.conftest import PHONE

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_report_dispatch_resolve_rate_publish(world, page_for, live_server):
    resident = page_for(world.user("resident"), viewport=PHONE)
    resident.goto(f"{live_server.url}/appeals/report/?place={world.building.pk}&qr=1")
    resident.fill("textarea[name=description]", "1栋门口的路灯坏了，晚上很黑")
    resident.wait_for_selector("#suggestion >> text=设施维修")
    resident.click("button[type=submit]")
    resident.wait_for_selector("text=已提交")
    appeal = Appeal.objects.get()
    assert appeal.channel == "qr" and appeal.category.code == "facilities"

    staff = page_for(world.user("staff"))
    staff.goto(f"{live_server.url}/appeals/")
    staff.click(f"text={appeal.number}")
    staff.click("summary >> text=受理")
    staff.click("form[action$='/act/accept/'] button")
    staff.wait_for_selector("text=已受理")
    staff.click("summary >> text=派单")
    staff.check(f"input[name=users][value='{world.user('gridworker').pk}']")
    staff.click("form[action$='/act/dispatch/'] button")
    staff.wait_for_selector(".status >> text=已派单")

    worker = page_for(world.user("gridworker"), viewport=PHONE)
    worker.goto(f"{live_server.url}/appeals/{appeal.pk}/")
    worker.click("summary >> text=签收")
    worker.click("form[action$='/act/sign/'] button")
    worker.wait_for_selector(".status >> text=办理中")
    worker.click("summary >> text=办结")
    worker.fill("textarea[name=result]", "已联系路灯所更换灯泡")
    worker.click("form[action$='/act/resolve/'] button")
    worker.wait_for_selector(".status >> text=已办结")

    resident.goto(f"{live_server.url}/appeals/{appeal.pk}/")
    assert "已联系路灯所更换灯泡" in resident.content()
    resident.check("input[name=rating][value='5']")
    resident.fill("textarea[name=comment]", "很及时")
    resident.click("text=提交评价")
    resident.wait_for_selector("text=感谢您的评价")
    appeal.refresh_from_db()
    assert appeal.status == Status.CLOSED and appeal.rating == 5

    board = resident.context.new_page()
    board.goto(f"{live_server.url}/appeals/board/{world.community.pk}/")
    assert "已联系路灯所更换灯泡" in board.content()
    assert "张三" not in board.content()
