"""Background work of the dashboard, run by Django's task framework (``manage.py db_worker``)."""

from django_tasks import task


@task()
def build_monthly_report(report_id: int) -> str:
    from linli.dashboard.services import monthly_report_build

    return monthly_report_build(report_id=report_id).status
