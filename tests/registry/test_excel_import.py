"""Excel import: every bad row reported with its reason, nothing imported until the file is clean."""

from io import BytesIO

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from linli.core.models import AuditEntry
from linli.registry import excel, services
from linli.registry.models import ImportJob, Resident
from tests.conftest import make_id


def sheet(rows, header=None) -> SimpleUploadedFile:
    wb = Workbook()
    ws = wb.active
    ws.append(header or excel.header_labels())
    for row in rows:
        ws.append(row)
    out = BytesIO()
    wb.save(out)
    return SimpleUploadedFile("residents.xlsx", out.getvalue())


def good_row(hh="N001", room="101", name="周一", id_number=None, phone="13600136000", tags=""):
    return [hh, "阳光花园", "1栋", "1单元", room, name, "", id_number or make_id(), phone, "户主", "户籍人口", tags]


def run(world, upload, user="staff", django_capture_on_commit_callbacks=None):
    with django_capture_on_commit_callbacks(execute=True):
        job = services.import_job_create(actor=world.user(user), community=world.community, upload=upload)
    job.refresh_from_db()
    return job


def test_template_has_the_headers(world, login):
    response = login(world.user("staff")).get(reverse("registry:import_template"))
    ws = load_workbook(BytesIO(response.content)).active
    assert [c.value for c in ws[1]] == excel.header_labels()


def test_bad_rows_are_listed_and_nothing_is_imported(world, django_capture_on_commit_callbacks):
    count = Resident.objects.count()
    dup = make_id()
    rows = [
        good_row(),
        good_row(hh="N002", room="101", name="", id_number=make_id()),  # name missing
        good_row(hh="N003", id_number="110101199003070016"),  # bad check digit
        good_row(hh="N004", phone="1234"),  # bad phone
        ["N005", "阳光花园", "9栋", "1单元", "101", "吴五", "", make_id(), "", "户主", "户籍人口", ""],  # no such building
        good_row(hh="N006", id_number=dup),
        good_row(hh="N007", id_number=dup),  # duplicate in file
        good_row(hh="N008", id_number=world.far_resident.id_number),  # registered in another community
        good_row(hh="N009", tags="神仙"),  # unknown tag
        ["N010", "阳光花园", "1栋", "1单元", "101", "郑十", "", make_id(), "", "表哥", "户籍人口", ""],  # unknown relationship
    ]
    job = run(world, sheet(rows), django_capture_on_commit_callbacks=django_capture_on_commit_callbacks)
    assert job.status == ImportJob.Status.INVALID
    by_row = {(e["row"], e["column"]) for e in job.errors}
    assert (3, "姓名") in by_row
    assert (4, "身份证号码") in by_row
    assert (5, "手机号码") in by_row
    assert (6, "单元") in by_row
    assert (8, "身份证号码") in by_row
    assert (9, "身份证号码") in by_row
    assert (10, "关怀标签") in by_row
    assert (11, "与户主关系") in by_row
    assert (2, "姓名") not in by_row
    assert Resident.objects.count() == count
    messages = {(e["row"], e["column"]): e["message"] for e in job.errors}
    assert "校验位" in messages[4, "身份证号码"]
    assert "第7行" in messages[8, "身份证号码"]


def test_clean_file_imports_everything_in_one_go(world, django_capture_on_commit_callbacks):
    rows = [
        good_row(hh="N001", room="101", name="周一", tags="党员,志愿者"),
        good_row(hh="N001", room="101", name="周二", phone=""),
        good_row(hh="N002", room="102", name="周三"),  # new dwelling under an existing unit
        ["H001", "阳光花园", "1栋", "1单元", "101", "张三", "", world.resident.id_number, "13800138001", "户主", "常住人口", ""],  # update
    ]
    rows[1][9] = "配偶"
    job = run(world, sheet(rows), django_capture_on_commit_callbacks=django_capture_on_commit_callbacks)
    assert job.status == ImportJob.Status.DONE, job.errors
    assert (job.created_count, job.updated_count) == (3, 1)
    assert job.processed_rows == job.total_rows == 4
    zhou = Resident.objects.get(name="周一")
    assert {t.code for t in zhou.care_tags.all()} == {"party_member", "volunteer"}
    assert Resident.objects.get(name="周三").household.dwelling.address == "阳光花园 1栋 1单元 102"
    world.resident.refresh_from_db()
    assert world.resident.phone == "13800138001" and world.resident.registration == "changzhu"
    assert AuditEntry.objects.filter(action="import", target_id=str(job.pk)).exists()
    assert AuditEntry.objects.filter(action="create", target_id=str(zhou.pk)).exists()


def test_wrong_header_is_a_clear_error(world, django_capture_on_commit_callbacks):
    job = run(world, sheet([["x"]], header=["姓名", "电话"]), django_capture_on_commit_callbacks=django_capture_on_commit_callbacks)
    assert job.status == ImportJob.Status.INVALID
    assert "表头缺少列" in job.errors[0]["message"]


def test_not_an_excel_file(world, django_capture_on_commit_callbacks):
    upload = SimpleUploadedFile("a.xlsx", b"not a zip")
    job = run(world, upload, django_capture_on_commit_callbacks=django_capture_on_commit_callbacks)
    assert job.status == ImportJob.Status.INVALID and "无法读取文件" in job.errors[0]["message"]


def test_grid_worker_may_not_import(world, login):
    assert login(world.user("gridworker")).get(reverse("registry:import")).status_code == 404


def test_import_page_flow(world, login, django_capture_on_commit_callbacks):
    client = login(world.user("staff"))
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("registry:import"), {"community": world.community.pk, "file": sheet([good_row(name="赵二")])})
    assert response.status_code == 302
    status = client.get(response["Location"]).content.decode()
    assert "已导入" in status
    assert Resident.objects.filter(name="赵二").exists()


def test_export_masks_for_grid_leader_and_not_for_staff(world, login):
    leader = login(world.user("gridleader")).get(reverse("registry:export"))
    rows = list(load_workbook(BytesIO(leader.content)).active.iter_rows(values_only=True))
    assert [r[5] for r in rows[1:]] == ["张三"]
    assert rows[1][7] == world.resident.id_number_masked
    staff = login(world.user("staff")).get(reverse("registry:export"))
    rows = list(load_workbook(BytesIO(staff.content)).active.iter_rows(values_only=True))
    assert {r[5] for r in rows[1:]} == {"张三", "李四"}
    assert world.resident.id_number in {r[7] for r in rows[1:]}
    entry = AuditEntry.objects.filter(action="export", actor=world.user("staff")).latest("id")
    assert entry.note == "rows=2 unmasked_ids=2"


def test_exported_file_imports_back_cleanly(world, login, django_capture_on_commit_callbacks):
    content = login(world.user("staff")).get(reverse("registry:export")).content
    job = run(world, SimpleUploadedFile("back.xlsx", content), django_capture_on_commit_callbacks=django_capture_on_commit_callbacks)
    assert job.status == ImportJob.Status.DONE, job.errors
    assert (job.created_count, job.updated_count) == (0, 2)


def test_formula_cells_are_refused_on_import_and_written_as_text_on_export(world, login, django_capture_on_commit_callbacks):
    """Regression (access issue #7): '=HYPERLINK(...)' and '=cmd|...' never become live formulas."""
    rows = [good_row(name='=HYPERLINK("http://evil.example","点我")'), good_row(hh="N009", room="109", name="@SUM(1+1)")]
    job = run(world, sheet(rows), django_capture_on_commit_callbacks=django_capture_on_commit_callbacks)
    assert job.status == ImportJob.Status.INVALID
    assert {e["row"] for e in job.errors if "公式" in e["message"]} == {2, 3}
    # A formula-looking value already in the registry (typed before this rule) exports as text.
    Resident.objects.filter(pk=world.resident.pk).update(name="=cmd|' /C calc'!A0")
    content = login(world.user("staff")).get(reverse("registry:export")).content
    wb = load_workbook(BytesIO(content))
    cells = [c for row in wb.active.iter_rows(min_row=2) for c in row if c.value == "=cmd|' /C calc'!A0"]
    assert cells and all(c.data_type == "s" for c in cells)


def test_the_import_file_is_deleted_once_read(world, django_capture_on_commit_callbacks, settings):
    """Regression (access issue #6): the sheet with full ID numbers is not kept on disk, and
    it was stored under a random name, not the uploader's."""
    upload = sheet([good_row(name="钱七")])
    upload.name = "张三一家身份证.xlsx"
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        job = services.import_job_create(actor=world.user("staff"), community=world.community, upload=upload)
    stored = job.file.name
    assert stored.startswith("imports/") and "张三" not in stored and (settings.MEDIA_ROOT / stored).exists()
    for callback in callbacks:
        callback()
    job.refresh_from_db()
    assert job.status == ImportJob.Status.DONE and job.file.name == ""
    assert not (settings.MEDIA_ROOT / stored).exists()
