"""The monthly report: queued once for a double click, built in the background, downloadable
by those who may see the place, and saying what the dashboard says."""

from datetime import date
from io import BytesIO

from django.urls import reverse
from openpyxl import load_workbook

from linli.appeals import services as appeal_services
from linli.dashboard import selectors, services
from linli.dashboard.models import MonthlyReport


def test_a_double_request_queues_one_report_and_the_workbook_has_the_figures(world, new_appeal, login, django_capture_on_commit_callbacks):
    staff = world.user("staff")
    a = new_appeal(title="路灯不亮")
    appeal_services.appeal_accept(actor=staff, appeal=a)
    month = date.today().replace(day=1)
    with django_capture_on_commit_callbacks(execute=False) as queued:
        first = services.monthly_report_request(actor=staff, place=world.community, month=month)
        second = services.monthly_report_request(actor=staff, place=world.community, month=month)
    assert first.pk == second.pk and MonthlyReport.objects.count() == 1 and len(queued) == 1
    report = services.monthly_report_build(report_id=first.pk)
    assert report.status == MonthlyReport.Status.DONE
    assert services.monthly_report_build(report_id=first.pk).status == MonthlyReport.Status.DONE  # claimed once
    wb = load_workbook(BytesIO(login(staff).get(reverse("dashboard:report_download", args=[report.pk])).getvalue()))
    overview = {row[0]: row[1] for row in wb["概览"].iter_rows(min_row=3, values_only=True)}
    figures = selectors.appeal_figures(
        selectors.facts_in(community_ids=[world.community.pk], start=month, end=selectors.month_period(month).end)
    )
    assert overview["诉求总数"] == figures["total"] == 1
    assert "按分类" in wb.sheetnames and "按周" in wb.sheetnames


def test_the_download_is_only_for_those_who_see_the_place(world, login):
    staff = world.user("staff")
    report = services.monthly_report_request(actor=staff, place=world.community, month=date.today())
    services.monthly_report_build(report_id=report.pk)
    assert login(world.user("far_staff")).get(reverse("dashboard:report_download", args=[report.pk])).status_code == 404
    assert login(world.user("gridworker")).get(reverse("dashboard:report_download", args=[report.pk])).status_code == 404
    assert login(world.user("street")).get(reverse("dashboard:report_download", args=[report.pk])).status_code == 200


def test_a_street_report_lists_its_communities_and_prints(world, login):
    client = login(world.user("street"))
    page = client.get(reverse("dashboard:report_print", args=[world.street.pk]) + "?month=2026-01")
    assert page.status_code == 200 and "和美社区" in page.content.decode() and "新桥社区" in page.content.decode()
    assert client.get(reverse("dashboard:report_print", args=[world.street.pk]) + "?month=2026-13").status_code == 400


def test_a_report_for_the_future_is_refused(world, login):
    response = login(world.user("staff")).post(reverse("dashboard:reports", args=[world.community.pk]), {"month": "2999-01"})
    assert response.status_code == 400 and not MonthlyReport.objects.exists()
