"""Councils and micro-wishes as people use them: residents on phones, staff on a desktop."""

from datetime import timedelta
from io import BytesIO

import pytest
from django.utils import timezone
from PIL import Image

from linli.accounts.models import Role, User
from linli.councils import services
from linli.councils.models import Member, Topic, Vote
from linli.registry.models import CareTag, Place, PlaceKind
from linli.registry.services import roles
from linli.wishes.models import Wish, WishStatus
from tests.browser.conftest import PHONE
from tests.conftest import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def neighbour(world, username, tags=()):
    r = world.other_resident  # lives in the same compound (building 2)
    for code in tags:
        r.care_tags.add(CareTag.objects.get(code=code))
    u = User.objects.create_user(username, password=PASSWORD)
    u.resident = r
    u.save()
    roles.role_assign(actor=world.admin, user=u, role=Role.RESIDENT, household=r.household)
    return User.objects.get(pk=u.pk)


def test_topic_support_meeting_vote_resolution(world, page_for, live_server):
    compound = Place.objects.get(kind=PlaceKind.COMPOUND, name="阳光花园")
    council = services.council_create(
        actor=world.user("staff"), community=world.community, compound=compound, name="阳光花园邻里议事会", support_threshold=2
    )
    services.member_add(
        actor=world.user("staff"), council=council, name="陈静", role=Member.Role.GRID_WORKER, user=world.user("gridworker")
    )
    services.member_add(actor=world.user("staff"), council=council, name="王大爷", role=Member.Role.PARTY_MEMBER)

    resident = page_for(world.user("resident"), viewport=PHONE)
    resident.goto(f"{live_server.url}/councils/{council.pk}/")
    resident.fill("input[name=title]", "楼下电动车乱停，希望划定停放区")
    resident.click("form:has(input[name=title]) button")
    resident.wait_for_selector("text=议题已提出")
    topic = Topic.objects.get()
    resident.click(f"form[action='/councils/topics/{topic.pk}/support/'] button")
    other = page_for(neighbour(world, "linju"), viewport=PHONE)
    other.goto(f"{live_server.url}/councils/{council.pk}/")
    other.click(f"form[action='/councils/topics/{topic.pk}/support/'] button")
    topic.refresh_from_db()
    assert topic.step == "accept"  # two supporters put it on the agenda

    staff = page_for(world.user("staff"))
    staff.goto(f"{live_server.url}/councils/topics/{topic.pk}/")
    for _ in range(3):  # accept → comment → deliberate → decide
        # 会前公示 lasts five days (the community's rule): the days pass before the next step.
        Topic.objects.filter(pk=topic.pk).update(step_entered_at=timezone.now() - timedelta(days=6))
        staff.reload()
        staff.click("summary >> text=进入下一步")
        staff.click(f"form[action='/councils/topics/{topic.pk}/advance/'] button")
        staff.wait_for_selector("text=已完成")
    staff.click("summary >> text=添加方案")
    staff.fill(f"form[action='/councils/topics/{topic.pk}/option/'] input[name=title]", "在3栋东侧划20个车位")
    staff.click(f"form[action='/councils/topics/{topic.pk}/option/'] button")
    staff.goto(f"{live_server.url}/councils/{council.pk}/")
    staff.click("summary >> text=安排会议")
    mform = f"form[action='/councils/{council.pk}/meetings/new/']"
    staff.fill(f"{mform} input[name=title]", "一事一议：电动车停放")
    staff.fill(f"{mform} input[name=scheduled_at]", "2026-11-25T19:00")
    staff.check(f"{mform} input[name=topics][value='{topic.pk}']")
    staff.click(f"{mform} button")
    staff.click("text=一事一议：电动车停放")
    for name in ("陈静", "王大爷"):
        staff.check(f"label:has-text('{name}') input[name=present]")
    staff.click("text=登记到会")
    staff.goto(f"{live_server.url}/councils/topics/{topic.pk}/")
    staff.click("summary >> text=发起表决")
    form = f"form[action='/councils/topics/{topic.pk}/vote_open/']"
    staff.select_option(f"{form} select[name=option]", index=1)
    staff.select_option(f"{form} select[name=meeting]", index=1)
    staff.click(f"{form} button")
    staff.wait_for_selector("text=结束并计票")

    worker = page_for(world.user("gridworker"), viewport=PHONE)
    worker.goto(f"{live_server.url}/councils/topics/{topic.pk}/")
    worker.check("input[name=choice][value=for]")
    worker.click("form.ballot button")
    worker.wait_for_selector(".vote-receipt")  # a receipt, not the ballot again
    assert "每人一票" in worker.text_content(".vote-receipt") and not worker.query_selector("form.ballot")

    staff.reload()
    staff.click("summary >> text=代录纸质票")  # a paper ballot, picked by the member's name
    staff.select_option("select[name=member]", label="王大爷")
    staff.select_option("select[name=choice]", value="for")
    staff.click("button >> text=登记")
    staff.wait_for_selector("text=已投票")
    staff.click("text=结束并计票")
    staff.wait_for_selector("ul.arith")
    vote = Vote.objects.get()
    assert vote.passed is True and vote.figures["for"] == 2
    staff.click("summary >> text=发布决议")
    staff.fill("textarea[name=decision]", "在3栋东侧划定20个电动车停放位")
    staff.fill("input[name=responsible]", "红枫物业")
    staff.fill("input[name=due_on]", "2026-12-31")
    staff.click(f"form[action='/councils/topics/{topic.pk}/resolution/'] button")
    staff.wait_for_selector("text=在3栋东侧划定20个电动车停放位")

    public = other.context.new_page()
    public.goto(f"{live_server.url}/councils/public/{world.community.pk}/")
    assert "在3栋东侧划定20个电动车停放位" in public.content() and "张三" not in public.content()


def test_wish_post_claim_fulfil_confirm(world, page_for, live_server, tmp_path):
    resident = page_for(world.user("resident"), viewport=PHONE)
    resident.goto(f"{live_server.url}/wishes/post/")
    resident.fill("input[name=title]", "想要一台新的厨房排气扇")
    resident.click("button[type=submit]")
    resident.wait_for_selector("text=心愿已提交")
    wish = Wish.objects.get()

    staff = page_for(world.user("staff"))
    staff.goto(f"{live_server.url}/wishes/{wish.pk}/")
    staff.click("text=审核通过")
    staff.wait_for_selector("text=待认领")

    member = page_for(neighbour(world, "dangyuan", tags=("party_member",)), viewport=PHONE)
    member.goto(f"{live_server.url}/wishes/wall/{world.community.pk}/")
    assert "张三" not in member.content()
    member.click("text=想要一台新的厨房排气扇")
    member.click("text=我来认领")
    member.wait_for_selector("text=已认领")
    proof = tmp_path / "proof.jpg"
    buf = BytesIO()
    Image.new("RGB", (60, 40), (0, 120, 200)).save(buf, format="JPEG")
    proof.write_bytes(buf.getvalue())
    member.set_input_files("input[name=photo]", str(proof))
    member.click("text=已送达")
    member.wait_for_selector(".status >> text=已送达")

    resident.goto(f"{live_server.url}/wishes/{wish.pk}/")
    resident.click("text=确认心愿已实现")
    resident.wait_for_selector(".status >> text=已圆梦")
    wish.refresh_from_db()
    assert wish.status == WishStatus.CONFIRMED and wish.proof
