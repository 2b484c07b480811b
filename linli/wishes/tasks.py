from django_tasks import task


@task()
def release_expired_claims() -> int:
    from linli.wishes.services import wishes_release_expired

    return wishes_release_expired()
