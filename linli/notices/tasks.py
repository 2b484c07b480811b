from django_tasks import task


@task()
def notice_deliver(notice_id: int) -> int:
    from linli.notices.services import notice_deliver as deliver

    return deliver(notice_id=notice_id)
