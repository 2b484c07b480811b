from django_tasks import task


@task()
def deliver_notifications() -> dict:
    from linli.core.outbox import deliver_due

    return deliver_due()
