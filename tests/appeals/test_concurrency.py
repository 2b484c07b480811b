"""Two people act at once: exactly one wins (row locks on PostgreSQL)."""

import threading

import pytest
from django.db import connection, connections

from linli.appeals import services
from linli.appeals.models import Appeal, Event, Status

pytestmark = [pytest.mark.django_db(transaction=True)]


def _race(n, fn):
    barrier = threading.Barrier(n)
    results = []

    def run(i):
        try:
            barrier.wait()
            fn(i)
            results.append("ok")
        except Exception as e:  # the loser's refusal is the point
            results.append(type(e).__name__)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return results


@pytest.fixture
def require_postgres():
    if connection.vendor != "postgresql":
        pytest.skip("row locks are tested on PostgreSQL (make test runs the suite there too)")


def test_two_handlers_sign_at_once_exactly_one_wins(require_postgres, world, new_appeal):
    a = new_appeal()
    staff = world.user("staff")
    services.appeal_accept(actor=staff, appeal=a)
    services.appeal_dispatch(actor=staff, appeal=a, users=[world.user("gridworker"), world.user("gridleader")])
    users = [world.user("gridworker"), world.user("gridleader")] * 4
    results = _race(8, lambda i: services.appeal_sign(actor=users[i], appeal=a))
    assert results.count("ok") == 1, results
    assert Appeal.objects.get(pk=a.pk).status == Status.IN_PROGRESS
    assert Event.objects.filter(appeal=a, action="sign").count() == 1


def test_two_staff_accept_at_once_exactly_one_wins(require_postgres, world, new_appeal):
    a = new_appeal()
    staff, secretary = world.user("staff"), world.user("secretary")
    results = _race(6, lambda i: services.appeal_accept(actor=(staff, secretary)[i % 2], appeal=a))
    assert results.count("ok") == 1, results
    assert set(results) - {"ok"} == {"InvalidTransition"}
    assert Event.objects.filter(appeal=a, action="accept").count() == 1


def test_concurrent_submits_with_one_key_make_one_appeal(require_postgres, world):
    from linli.registry.models import Place

    place = Place.objects.filter(kind="dwelling", path__startswith=world.building.path).first()
    resident = world.user("resident")
    results = _race(
        10,
        lambda i: services.appeal_submit(
            actor=resident, place=place, title="t", description="同一次提交", channel="resident", idempotency_key="same-key"
        ),
    )
    assert results.count("ok") == 10
    assert Appeal.objects.filter(idempotency_key="same-key").count() == 1
