"""A volunteer's month on a phone: register, be approved, sign up, check in and out by the QR
at the place, see the hours and points, and redeem an offer at a caring shop whose staff
confirm the code on their own phone."""

from datetime import timedelta
from urllib.parse import urlparse

import pytest
from django.utils import timezone

from linli.accounts.models import Role
from linli.registry import services as registry
from linli.volunteers import services
from linli.volunteers.models import SignUp, Volunteer
from tests.browser.conftest import PHONE
from tests.conftest import user_for_resident
from tests.volunteers.conftest import staff_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_register_sign_up_scan_in_and_out_then_redeem_at_a_shop(world, page_for, live_server):
    staff_account = world.user("staff")
    merchant = registry.organisation_create(actor=world.admin, place=world.community, kind="merchant", name="悦容美发")
    shop = staff_user(world, "shop", Role.PARTNER_STAFF, organisation=merchant)
    services.offer_save(actor=shop, merchant=merchant, kind="free_service", title="爱心义剪", points_cost=10)
    neighbour = user_for_resident(world, world.other_resident, "lisi")

    # 李四 registers on his phone.
    phone = page_for(neighbour, viewport=PHONE)
    phone.goto(f"{live_server.url}/volunteers/")
    phone.click("text=注册志愿者")
    phone.check("input[name=skills][value=haircut]")
    phone.check("input[name=availability][value=weekend]")
    phone.click("button:has-text('提交注册')")
    phone.wait_for_selector("text=社区审核通过后即可报名活动")
    volunteer = Volunteer.objects.get(user=neighbour)

    # Staff approve him and publish an activity starting in half an hour.
    desk = page_for(staff_account)
    desk.goto(f"{live_server.url}/volunteers/manage/{world.community.pk}/")
    desk.click(f"a:has-text('{volunteer.name}')")
    desk.click("button:has-text('审核通过')")
    desk.wait_for_selector(".status >> text=在册")
    start = timezone.localtime() + timedelta(minutes=30)
    desk.goto(f"{live_server.url}/volunteers/activities/new/?community={world.community.pk}")
    desk.fill("input[name=title]", "爱心义剪进小区")
    desk.select_option("select[name=kind]", "haircut")
    desk.fill("input[name=location]", "阳光花园广场")
    desk.fill("input[name=starts_at]", start.strftime("%Y-%m-%dT%H:%M"))
    desk.fill("input[name=ends_at]", (start + timedelta(hours=3)).strftime("%Y-%m-%dT%H:%M"))
    desk.fill("input[name=capacity]", "10")
    desk.click("button:has-text('发布')")
    desk.wait_for_selector("text=活动已发布")
    desk.click("text=打印签到二维码")
    qr_path = urlparse(desk.text_content(".url").strip()).path

    # He signs up on his phone.
    phone.goto(f"{live_server.url}/volunteers/activities/")
    phone.click("text=爱心义剪进小区")
    phone.click("button:has-text('我要报名')")
    phone.wait_for_selector("text=报名成功")

    # At the place he scans the QR: check in; two hours later, check out.
    phone.goto(live_server.url + qr_path)
    phone.click("button:has-text('签到')")
    phone.wait_for_selector("text=已签到")
    SignUp.objects.filter(volunteer=volunteer).update(checked_in_at=timezone.now() - timedelta(hours=2))  # time passes
    phone.goto(live_server.url + qr_path)
    phone.click("button:has-text('签退')")
    phone.wait_for_selector("text=本次记入 2.0 小时")

    phone.goto(f"{live_server.url}/volunteers/")
    tiles = phone.text_content(".tiles")
    assert "2.0" in tiles and "20" in tiles  # hours and points (10 an hour)

    # At the shop: he shows a code, the shop's phone confirms it.
    phone.goto(f"{live_server.url}/volunteers/offers/")
    phone.click("button:has-text('出示核销码')")
    code = phone.text_content(".bigcode").replace(" ", "").strip()
    assert len(code) == 8
    counter = page_for(shop, viewport=PHONE)
    counter.goto(f"{live_server.url}/volunteers/merchant/")
    counter.fill("input[name=code]", code)
    counter.click("button:has-text('确认核销')")
    counter.wait_for_selector("text=核销成功")
    counter.fill("input[name=code]", code)
    counter.click("button:has-text('确认核销')")
    counter.wait_for_selector("text=该码已于")  # a second confirm redeems nothing
    phone.reload()
    phone.wait_for_selector("text=核销。")
    assert Volunteer.objects.get(pk=volunteer.pk).points == 10
    for p in (phone, counter):
        assert p.evaluate("document.documentElement.scrollWidth") <= 390
