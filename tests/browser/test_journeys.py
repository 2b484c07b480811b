"""Work that crosses domains, clicked through as the people who do it (issue 23): phones for the
grid worker, the property staff, the resident, the craftsman; a desktop for the community's staff.

(a) a patrol finding with a photo and the resident's phone → the property company serving the
    compound → resolved with a photo → the resident's SMS link → confirmed and rated → the
    dashboard figure moves and the result is on the public board;
(b) recurring open appeals of a council's own compound → topic → six steps, the public notice
    lasting the days the community set → an owners' art. 278 vote on a chosen compound →
    resolution → project → acceptance → the appeals closed and their reporters told, no second
    project offered;
(c) a care household's visit due → home visit with a need → a service order carrying the need,
    linked both ways → a provider who can answer suggested first → delivered with a photo → the
    resident confirms → the volunteer's hours credited once.
"""

import re
from datetime import timedelta
from decimal import Decimal
from io import BytesIO

import pytest
from django.utils import timezone
from PIL import Image

from linli.appeals.models import Appeal
from linli.appeals.models import Status as AppealStatus
from linli.core.models import Notification
from linli.councils.models import Topic, Vote
from linli.gridwork.models import Visit
from linli.projects.models import Project
from linli.registry.models import Household, Place, PlaceKind
from linli.resident_services.models import Order
from linli.volunteers.models import LedgerEntry
from tests.browser.conftest import PHONE

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _fits(page):
    assert page.evaluate("document.documentElement.scrollWidth") <= page.viewport_size["width"]


def _jpeg(colour="orange"):
    out = BytesIO()
    Image.new("RGB", (64, 48), colour).save(out, format="JPEG")
    return {"name": "photo.jpg", "mimeType": "image/jpeg", "buffer": out.getvalue()}


def _sms_to(inbox, phone):
    return [text for to, text in inbox if to == phone]


def test_a_patrol_finding_reaches_the_property_company_and_comes_back_rated(
    world, page_for, browser, live_server, tmp_path, settings, sms_inbox
):
    from linli.registry.services import organisations

    settings.MEDIA_ROOT = tmp_path
    compound = Place.objects.get(kind=PlaceKind.COMPOUND, name="阳光花园")
    property_co = world.user("property").role_assignments.get().organisation
    organisations.organisation_update(actor=world.admin, organisation=property_co, served_compounds=[compound])

    # The grid worker scans the gate's poster, starts a patrol and records what she finds.
    worker = page_for(world.user("gridworker"), viewport=PHONE)
    worker.goto(f"{live_server.url}/appeals/report/?place={compound.pk}&qr=1")
    worker.click("[data-offer=patrol_start]")
    worker.click("main button >> text=开始巡查")
    worker.wait_for_selector("text=巡查开始")
    worker.click("a.button >> text=记诉求")
    worker.fill("textarea[name=description]", "一号楼一单元门口井盖松动，有老人差点绊倒")
    worker.wait_for_selector("[data-place-suggested]")  # the place read from what she typed
    assert "阳光花园 1栋 1单元" in worker.inner_text("#place-hint")
    worker.select_option("select[name=place]", str(world.building.pk))
    worker.fill("textarea[name=description]", "2号楼门口井盖松动，有老人差点绊倒")
    worker.wait_for_selector("[data-place-disagree]")  # and it says when the choice disagrees
    worker.select_option("select[name=place]", "")
    worker.fill("textarea[name=description]", "一号楼一单元门口井盖松动，有老人差点绊倒")
    worker.wait_for_selector("[data-place-suggested]")
    worker.fill("input[name=reporter_name]", "刘阿姨")
    worker.fill("input[name=contact_phone]", "13912345678")
    worker.set_input_files("input[name=photos]", files=[_jpeg("gray")])
    _fits(worker)
    worker.click("main button >> text=保存")
    worker.wait_for_selector("text=已记录")
    appeal = Appeal.objects.get()
    assert appeal.place.address == "阳光花园 1栋 1单元" and appeal.channel == "grid_worker"
    (receipt,) = _sms_to(sms_inbox, "13912345678")
    link = re.search(r"https?://\S+?(/t/\S+/)", receipt).group(1)

    # Staff dispatch it to the property company that serves the compound.
    desk = page_for(world.user("staff"))
    desk.goto(f"{live_server.url}/appeals/{appeal.pk}/")
    desk.click("summary >> text=受理")
    desk.click("form[action$='/act/accept/'] button")
    desk.wait_for_selector("text=已受理")
    desk.click("summary >> text=派单")
    for box in desk.locator("input[name=users]:checked").all():
        box.uncheck()
    desk.check(f"input[name=organisations][value='{property_co.pk}']")
    desk.check(f"input[name=lead][value='o{property_co.pk}']")
    desk.click("form[action$='/act/dispatch/'] button")
    desk.wait_for_selector(".status >> text=已派单")
    desk.goto(f"{live_server.url}/dashboard/areas/{world.community.pk}/")
    solved_before = desk.locator("[data-figure=solved] small").inner_text()

    # The property company's staff sign and resolve it on a phone, with a photo.
    prop = page_for(world.user("property"), viewport=PHONE)
    prop.goto(f"{live_server.url}/appeals/{appeal.pk}/")
    prop.click("summary >> text=签收")
    prop.click("form[action$='/act/sign/'] button")
    prop.wait_for_selector(".status >> text=办理中")
    prop.click("summary >> text=办结")
    prop.fill("textarea[name=result]", "已更换井盖并加固")
    prop.set_input_files("form[action$='/act/resolve/'] input[name=photos]", files=[_jpeg("green")])
    prop.click("form[action$='/act/resolve/'] button")
    prop.wait_for_selector(".status >> text=已办结")
    _fits(prop)
    assert len(_sms_to(sms_inbox, "13912345678")) >= 2  # she is told it was done, with her link

    # 刘阿姨 has no account: she opens the link from her SMS, confirms and rates.
    her = browser.new_context(viewport=PHONE, locale="zh-CN").new_page()
    her.goto(f"{live_server.url}{link}")
    assert "已更换井盖并加固" in her.inner_text("main")
    her.check("input[name='rate-rating'][value='5']")
    her.click("text=提交评价")
    her.wait_for_selector("text=感谢您的评价")
    _fits(her)
    appeal.refresh_from_db()
    assert appeal.status == AppealStatus.CLOSED and appeal.rating == 5

    # The figure moved, and the result is on the public board without her name.
    desk.reload()
    assert desk.locator("[data-figure=solved] small").inner_text() != solved_before
    her.goto(f"{live_server.url}/appeals/board/{world.community.pk}/")
    board = her.inner_text("main")
    assert "已更换井盖并加固" in board and "刘阿姨" not in board
    her.context.close()


def test_recurring_appeals_become_a_resolution_a_project_and_answers(world, new_appeal, page_for, live_server, tmp_path):
    from linli.councils import services as councils
    from linli.councils.models import Member
    from linli.councils.services import owner_weights
    from linli.registry.models import Ownership

    staff_user = world.user("staff")
    compound = Place.objects.get(kind=PlaceKind.COMPOUND, name="阳光花园")
    council = councils.council_create(
        actor=staff_user, community=world.community, compound=compound, name="阳光花园邻里议事会", support_threshold=2
    )
    councils.member_add(actor=staff_user, council=council, name="陈静", role=Member.Role.GRID_WORKER, user=world.user("gridworker"))
    reports = [new_appeal(title="电动车乱停", description=f"楼下电动车乱停堵住楼道口（{i}）") for i in range(3)]
    for building, owner in ((world.building, world.resident), (world.other_building, world.other_resident)):
        dwelling = Place.objects.get(path__startswith=building.path, kind=PlaceKind.DWELLING)
        Ownership.objects.create(dwelling=dwelling, owner_key=owner.id_number_digest, owner_name=owner.name, resident=owner)

    desk = page_for(staff_user)
    desk.goto(f"{live_server.url}/councils/{council.pk}/")
    assert "3 件诉求" in desk.inner_text("main")  # its own compound's open appeals, suggested
    desk.click("form[action$='/raise/'] button")
    desk.wait_for_selector("text=已提交议事")
    topic = Topic.objects.get()
    assert topic.appeals.count() == 3

    def advance():
        desk.click("summary >> text=进入下一步")
        desk.click(f"form[action='/councils/topics/{topic.pk}/advance/'] button")
        desk.wait_for_load_state()

    desk.goto(f"{live_server.url}/councils/topics/{topic.pk}/")
    advance()  # collect → accept
    advance()  # accept → comment (会前公示)
    assert "会前公示征求意见不少于5天" in desk.inner_text("[data-step-minimum]")
    advance()  # refused: the residents have five days to comment
    assert "不少于5天" in desk.inner_text("main") and Topic.objects.get().step == "comment"
    Topic.objects.filter(pk=topic.pk).update(step_entered_at=timezone.now() - timedelta(days=5, minutes=1))  # five days later
    desk.reload()
    advance()  # comment → deliberate
    advance()  # deliberate → decide
    assert Topic.objects.get().step == "decide"

    # The owners' vote (民法典第二百七十八条) on the compound chosen on the page.
    desk.click("summary >> text=发起表决")
    form = f"form[action='/councils/topics/{topic.pk}/vote_open/']"
    desk.select_option(f"{form} select[name=rule]", "owners_278")
    desk.select_option(f"{form} select[name=compound]", str(compound.pk))
    desk.click(f"{form} button")
    desk.wait_for_selector("text=结束并计票")
    vote = Vote.objects.get()
    assert vote.compound == compound
    for owner in owner_weights(compound):  # the owners' ballots, recorded from their paper forms
        councils.ballot_cast(actor=staff_user, vote=vote, choice="for", voter_key=owner.owner)
    desk.reload()
    desk.click("text=结束并计票")
    desk.wait_for_selector("ul.arith")
    assert Vote.objects.get().passed is True
    desk.click("summary >> text=发布决议")
    desk.fill("textarea[name=decision]", "在3栋东侧划定20个电动车停放位")
    desk.fill("input[name=responsible]", "红枫物业")
    desk.fill("input[name=due_on]", (timezone.localdate() + timedelta(days=60)).isoformat())
    desk.click(f"form[action='/councils/topics/{topic.pk}/resolution/'] button")
    desk.wait_for_selector("text=在3栋东侧划定20个电动车停放位")

    # 立项实施, once.
    desk.click("[data-offer=start_project]")
    desk.wait_for_selector("text=依据议事决议")
    desk.select_option("select[name=places]", str(compound.pk))
    desk.click("main form button:has-text('立项')")
    desk.wait_for_selector("text=项目已立项")
    project = Project.objects.get()
    desk.goto(f"{live_server.url}/councils/topics/{topic.pk}/")
    assert desk.locator("[data-offer=start_project]").count() == 0

    from linli.projects import services as projects

    item = projects.item_add(actor=staff_user, project=project, name="电动车位", quantity=20, unit="个")
    from django.core.files.uploadedfile import SimpleUploadedFile

    photo = _jpeg("white")
    projects.progress_record(
        actor=staff_user, item=item, quantity=20, note="划线完成", after=SimpleUploadedFile("a.jpg", photo["buffer"], "image/jpeg")
    )
    sign = projects.signoff_add(actor=staff_user, project=project, kind="residents", name="居民代表 张三", user=world.user("resident"))
    projects.project_complete(actor=staff_user, project=project)
    rep = page_for(world.user("resident"), viewport=PHONE)
    rep.goto(f"{live_server.url}/projects/{project.pk}/")
    rep.click("button:has-text('提交验收意见')")
    rep.wait_for_selector("text=验收（1/1 方同意）")
    _fits(rep)
    sign.refresh_from_db()
    for a in reports:
        a.refresh_from_db()
        assert a.status in (AppealStatus.RESOLVED, AppealStatus.CLOSED)
    told = Notification.objects.filter(recipient=world.user("resident"), channel="in_app", subject__contains=reports[0].number)
    assert told.exists()
    assert Notification.objects.filter(recipient=world.user("gridworker"), subject__contains="议事会表决").exists()


def test_a_visit_need_becomes_an_order_and_a_volunteer_s_hours(world, page_for, live_server, tmp_path, settings):
    from linli.resident_services import services as orders
    from linli.volunteers import services as volunteers
    from tests.conftest import user_for_resident

    settings.MEDIA_ROOT = tmp_path
    staff_user = world.user("staff")
    Household.objects.filter(pk=world.household.pk).update(created_at=timezone.now() - timedelta(days=30))
    # A neighbour who volunteers and repairs things; a craftsman of the register who has no app.
    helper = user_for_resident(world, world.other_resident, "xiaoli")
    volunteer = volunteers.volunteer_review(
        actor=staff_user,
        volunteer=volunteers.volunteer_register(actor=helper, skills=["repair"], availability=["weekend"]),
        action="approve",
    )
    from linli.accounts.models import User

    laowang = orders.provider_save(
        actor=staff_user, community=world.community, kind="craftsman", name="老王师傅", skills=["repair"],
        user=User.objects.create_user("laowang", password=None), base=world.building,
    )  # fmt: skip
    xiaoli = orders.provider_save(
        actor=staff_user, community=world.community, kind="craftsman", name="邻居小李", skills=["repair"], user=helper
    )
    repair = orders.service_save(
        actor=staff_user, community=world.community, name="家电维修", category="repair", skill="repair", providers=[laowang, xiaoli]
    )

    # The visit is due: the grid worker visits and writes down what is needed.
    worker = page_for(world.user("gridworker"), viewport=PHONE)
    worker.click("a >> text=户已超期")
    address = world.household.dwelling.address
    worker.click(f"ul.cards a >> text={address}")
    worker.fill("textarea[name=content]", "老人在家，精神不错。")
    worker.fill("textarea[name=needs]", "厨房油烟机坏了，想找人上门修")
    worker.click("main button >> text=保存")
    worker.wait_for_selector("text=走访已登记")
    visit = Visit.objects.get()
    assert "厨房油烟机坏了" in worker.inner_text("[data-visit-needs]")
    _fits(worker)
    worker.click("[data-offer=visit_order]")
    assert worker.input_value("textarea[name=description]") == "厨房油烟机坏了，想找人上门修"
    worker.select_option("select[name=resident]", str(world.resident.pk))
    worker.select_option("select[name=service]", str(repair.pk))
    worker.click("main button >> text=保存")
    worker.wait_for_selector("text=已记录")
    order = Order.objects.get()
    assert order.description == visit.needs
    worker.goto(f"{live_server.url}/gridwork/visits/{visit.pk}/")
    assert order.number in worker.inner_text("[data-visit-findings]")

    # Staff match it: the one who can answer in the app comes first, and the order names its visit.
    desk = page_for(staff_user)
    desk.goto(f"{live_server.url}/services/orders/{order.pk}/")
    assert desk.locator("[data-offer=source_visit]").count() == 1
    first = desk.locator("input[name=providers]").first
    assert first.get_attribute("value") == str(xiaoli.pk) and first.is_checked()
    assert "无账号，须电话确认接单" in desk.inner_text("main")
    desk.click("button:has-text('派单')")
    desk.wait_for_selector("text=已派单")

    # 小李 accepts on his phone and records the visit with a photo and the time it took.
    fixer = page_for(helper, viewport=PHONE)
    fixer.goto(f"{live_server.url}/services/orders/{order.pk}/")
    fixer.click("button:has-text('我来接单')")
    fixer.wait_for_selector("text=已接单，请按时上门")
    fixer.fill("textarea[name=note]", "清洗并更换了电机电容，试运行正常")
    fixer.fill("input[name=hours]", "1.5")
    fixer.set_input_files("input[name=photos]", files=[_jpeg()])
    fixer.click("button:has-text('提交服务记录')")
    fixer.wait_for_selector("text=等待居民确认")
    _fits(fixer)

    # 张三 confirms on his phone; 小李's hours reach his ledger, once.
    resident = page_for(world.user("resident"), viewport=PHONE)
    resident.goto(f"{live_server.url}/services/orders/{order.pk}/")
    resident.check("input[name=rating][value='5']")
    resident.click("button:has-text('确认完成')")
    resident.wait_for_selector("text=感谢您的评价")
    _fits(resident)
    resident.goto(f"{live_server.url}/services/orders/{order.pk}/")  # a second visit changes nothing
    (entry,) = LedgerEntry.objects.filter(volunteer=volunteer)
    assert entry.hours == Decimal("1.5") and order.number in entry.reason
