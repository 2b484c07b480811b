"""The phone-first flows, clicked through at 390×844: a resident without an account reports by
the QR poster with a real photo and follows the report by its link on another device; a grid
worker signs and resolves from the inbox; the resident rates through the link."""

import re
from io import BytesIO

import pytest
from PIL import Image

from linli.appeals import services
from linli.appeals.models import Appeal, Status
from linli.core.models import Notification
from tests.appeals.test_photos import jpeg_with_gps
from tests.browser.conftest import PHONE, watch_csp

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _code(inbox) -> str:
    return re.search(r"\d{6}", [text for _phone, text in inbox if "验证码" in text][-1]).group()


def test_qr_report_with_a_photo_then_tracking_and_rating_without_an_account(
    world, browser, live_server, tmp_path, page_for, sms_inbox, csp_violations
):
    photo = tmp_path / "lamp.jpg"
    photo.write_bytes(jpeg_with_gps((1200, 900)))
    phone = browser.new_context(viewport=PHONE, locale="zh-CN")
    watch_csp(phone, csp_violations)
    page = phone.new_page()
    page.goto(f"{live_server.url}/appeals/report/?place={world.building.pk}&qr=1")
    # 1 write, 2 photo, 3 phone and code, 4 submit.
    page.fill("textarea[name=description]", "1栋门口的路灯坏了，晚上很黑")
    page.set_input_files("input[name=photos]", str(photo))
    page.fill("input[name=phone]", "13922225555")
    page.click("button >> text=获取验证码")
    page.wait_for_selector("#code-sent >> text=验证码已发送")
    page.fill("input[name=code]", _code(sms_inbox))
    page.click("main form.report button[type=submit]")
    page.wait_for_selector(".receipt")
    appeal = Appeal.objects.get()
    assert appeal.number in page.text_content(".receipt") and appeal.channel == "qr" and appeal.photos.count() == 1
    link = page.text_content(".receipt .url").strip()
    assert link.endswith("/") and f"/t/{appeal.number}/" in link
    # The SMS carries the same link (and the row keeps it sealed: not in the readable body).
    assert any(link.split("/t/")[1] in text for _phone, text in sms_inbox)
    assert not Notification.objects.filter(body__contains="/t/").exists()
    phone.close()

    # Another device, no account: the link alone follows the report; its photo has no EXIF.
    other = browser.new_context(viewport=PHONE, locale="zh-CN")
    watch_csp(other, csp_violations)
    follow = other.new_page()
    follow.goto(link)
    assert "路灯坏了" in follow.content() and follow.locator("ol.stepper li.current").inner_text() == "提交"
    src = follow.get_attribute("img.thumb", "src")
    data = follow.request.get(live_server.url + src).body()
    assert not Image.open(BytesIO(data)).getexif()
    follow.click("summary >> text=补充信息或照片")
    follow.fill("textarea[name=info-text]", "灯在东门口第二根杆")
    follow.click("button >> text=提交补充")
    follow.wait_for_selector("text=已补充")

    staff, worker = world.user("staff"), world.user("gridworker")
    services.appeal_dispatch(actor=staff, appeal=services.appeal_accept(actor=staff, appeal=appeal), users=[worker])

    # The grid worker works from the inbox on a phone: one tap to sign, then resolve.
    w = page_for(worker, viewport=PHONE)
    w.click("a.badge-link")
    w.wait_for_selector(f"li.task >> text={appeal.number}")
    w.click("li.task button >> text=签收")
    w.wait_for_selector("text=已完成")
    w.click("nav.tabs >> text=办理中")
    w.click("li.task summary >> text=办结")
    w.fill("li.task textarea[name=result]", "已更换灯泡")
    w.click("li.task form[action$='/act/resolve/'] button")
    w.wait_for_selector("text=已完成")
    appeal.refresh_from_db()
    assert appeal.status == Status.RESOLVED and w.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]

    # Back on the other device: confirm and rate through the link.
    follow.goto(link)
    follow.check("input[name=rate-rating][value='5']")
    follow.click("button >> text=提交评价")
    follow.wait_for_selector("text=感谢您的评价")
    appeal.refresh_from_db()
    assert appeal.status == Status.CLOSED and appeal.rating == 5
    other.close()
