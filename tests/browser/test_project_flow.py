"""A project from a council's resolution to acceptance, as people do it: staff start it from the
resolution on a desktop, record items, money, progress with photos and who accepts it, hand it
over; the residents' representative signs on a phone; anyone reads the result on the public
page, and the resolution and its appeal are answered."""

from io import BytesIO

import pytest
from PIL import Image

from linli.appeals.models import Status as AppealStatus
from linli.projects.models import Project, ProjectStatus
from linli.registry.models import Place
from tests.browser.conftest import PHONE
from tests.councils.builders import council_of, resolution_of

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _fits(page):
    assert page.evaluate("document.documentElement.scrollWidth") <= page.viewport_size["width"]


def _photo(tmp_path, name, colour):
    path = tmp_path / name
    out = BytesIO()
    Image.new("RGB", (64, 48), colour).save(out, format="JPEG")
    path.write_bytes(out.getvalue())
    return str(path)


def test_project_from_resolution_to_acceptance_on_the_public_page(world, new_appeal, page_for, browser, live_server, tmp_path):
    appeal = new_appeal(title="电动车乱停", description="楼下电动车乱停，希望划车位")
    resolution = resolution_of(world, council_of(world), [appeal])
    compound = Place.objects.get(path=world.building.path[: -Place.steplen])

    desk = page_for(world.user("staff"))
    desk.goto(f"{live_server.url}/councils/topics/{resolution.topic_id}/")
    desk.click("text=立项实施")
    desk.wait_for_selector("text=依据议事决议")
    assert desk.input_value("input[name=title]") == "3栋东侧划定20个电动车位"
    desk.fill("input[name=title]", "阳光花园电动车位")
    desk.select_option("select[name=places]", str(compound.pk))
    desk.click("main form button:has-text('立项')")
    desk.wait_for_selector("text=项目已立项")
    project = Project.objects.get()
    base = f"form[action='/projects/{project.pk}"

    def submit(summary, action, **fields):
        desk.click(f"summary >> text={summary}")
        form = f"{base}/{action}/']"
        for name, value in fields.items():
            selector = f"{form} [name={name}]"
            if desk.locator(selector).evaluate("e => e.tagName") == "SELECT":
                desk.select_option(selector, value)
            elif name in ("before", "after"):
                desk.set_input_files(selector, value)
            else:
                desk.fill(selector, value)
        desk.click(f"{form} button")
        desk.wait_for_load_state()

    submit("增加内容", "item", name="电动车位", quantity="20", unit="个", budget="16000.50")
    submit("增加内容", "item", name="充电桩", quantity="4", unit="个", budget="12000")
    submit("增加资金来源", "funding", source="government", funder="区财政", pledged="20000")
    submit("增加资金来源", "funding", source="crowdfunding", funder="区供电公司", pledged="8000.50")
    submit("增加验收方", "signoff", kind="department", name="街道城建办")
    submit("增加验收方", "signoff", kind="residents", name="居民代表 张三", username=world.user("resident").username)
    desk.click("button:has-text('完工，提交验收')")
    desk.wait_for_selector("text=还有未完成的内容")  # nothing is handed over half built
    items = {i.name: i for i in project.items.all()}
    submit("登记进度", "progress", item=str(items["电动车位"].pk), quantity="20", note="20个车位划线完成",
           before=_photo(tmp_path, "b.jpg", (90, 90, 90)), after=_photo(tmp_path, "a.jpg", (240, 240, 240)))  # fmt: skip
    submit(
        "登记进度",
        "progress",
        item=str(items["充电桩"].pk),
        quantity="4",
        note="4个充电桩通电",
        after=_photo(tmp_path, "c.jpg", (0, 90, 0)),
    )
    desk.click("button:has-text('完工，提交验收')")
    desk.wait_for_selector("text=验收（0/2 方同意）")
    project.refresh_from_db()
    assert project.status == ProjectStatus.COMPLETED
    dept = project.signoffs.get(kind="department")
    desk.click(f"{base}/decide/']:has(input[value='{dept.pk}']) button")  # staff record the department's signed paper
    desk.wait_for_selector("text=验收（1/2 方同意）")

    rep = page_for(world.user("resident"), viewport=PHONE)
    rep.goto(f"{live_server.url}/projects/")
    rep.click("text=阳光花园电动车位")
    rep.wait_for_selector("text=居民代表 张三的验收意见")
    _fits(rep)
    rep.click("button:has-text('提交验收意见')")
    rep.wait_for_selector("text=验收（2/2 方同意）")

    public = browser.new_context(viewport=PHONE, locale="zh-CN").new_page()  # no account at all
    public.goto(f"{live_server.url}/projects/{project.pk}/")
    text = public.inner_text("main")
    assert "验收通过" in text and "完成 2/2 项" in text and "20/20 个" in text and "¥28000.50" in text
    _fits(public)
    public.click("text=施工后 >> nth=0")
    public.go_back()
    public.goto(f"{live_server.url}/councils/public/topics/{resolution.topic_id}/")
    assert "阳光花园电动车位" in public.inner_text("main")
    _fits(public)
    public.context.close()

    resolution.refresh_from_db()
    appeal.refresh_from_db()
    assert resolution.status == "done" and appeal.status == AppealStatus.RESOLVED
