"""A repair to the door on phones: the resident orders, staff match a 乐修匠 craftsman, the
craftsman accepts and records the visit with a photo, the resident confirms and rates."""

from io import BytesIO

import pytest
from PIL import Image

from linli.resident_services.models import Order
from tests.browser.conftest import PHONE
from tests.resident_services.conftest import make_craftsman

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _fits(page):
    assert page.evaluate("document.documentElement.scrollWidth") <= 390


def test_order_match_accept_visit_with_photo_confirm_and_rate(world, page_for, live_server, tmp_path, settings):
    from linli.resident_services import services

    settings.MEDIA_ROOT = tmp_path
    staff = world.user("staff")
    craftsman_user, craftsman = make_craftsman(world, "lishifu", base=world.building)
    services.service_save(actor=staff, community=world.community, name="家电维修", category="repair", skill="repair", providers=[craftsman])

    # 张三 orders on his phone.
    phone = page_for(world.user("resident"), viewport=PHONE)
    phone.goto(f"{live_server.url}/services/")
    phone.click("text=家电维修")
    phone.fill("textarea[name=description]", "厨房油烟机不转了")
    phone.click("button:has-text('提交')")
    phone.wait_for_selector("text=社区将尽快为您配单")
    _fits(phone)
    order = Order.objects.get()

    # Staff match the suggested craftsman (ticked first) at the desk.
    desk = page_for(staff)
    desk.goto(f"{live_server.url}/services/orders/{order.pk}/")
    assert "同楼栋" in desk.inner_text("main")
    desk.click("button:has-text('派单')")
    desk.wait_for_selector("text=已派单")

    # The craftsman accepts on his phone, then records the visit with a photo.
    fixer = page_for(craftsman_user, viewport=PHONE)
    fixer.goto(f"{live_server.url}/services/")
    fixer.click("text=家电维修")
    fixer.click("button:has-text('我来接单')")
    fixer.wait_for_selector("text=已接单，请按时上门")
    _fits(fixer)
    fixer.fill("textarea[name=note]", "更换电机电容，试运行正常")
    out = BytesIO()
    Image.new("RGB", (64, 48), "orange").save(out, format="JPEG")
    fixer.set_input_files("input[name=photos]", files=[{"name": "fan.jpg", "mimeType": "image/jpeg", "buffer": out.getvalue()}])
    fixer.click("button:has-text('提交服务记录')")
    fixer.wait_for_selector("text=等待居民确认")

    # 张三 sees the record and the photo, confirms and gives five stars.
    phone.goto(f"{live_server.url}/services/orders/{order.pk}/")
    assert "更换电机电容" in phone.inner_text("main")
    assert phone.evaluate("document.querySelector('.photos img').naturalWidth") > 0
    phone.check("input[name=rating][value='5']")
    phone.click("button:has-text('确认完成')")
    phone.wait_for_selector("text=感谢您的评价")
    _fits(phone)
    order.refresh_from_db()
    assert order.status == "done" and order.rating == 5 and order.provider == craftsman and order.photos.count() == 1
