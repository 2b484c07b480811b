"""Background work of the registry, run by Django's task framework (``manage.py db_worker``)."""

from django_tasks import task


@task()
def run_import(job_id: int) -> str:
    from linli.registry.services import import_job_run

    return import_job_run(job_id=job_id).status
