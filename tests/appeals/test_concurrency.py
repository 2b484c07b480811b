"""Two people act at once: exactly one wins (row locks on PostgreSQL)."""

import pytest
from django.db import connection

from linli.appeals import services
from linli.appeals.models import Appeal, Event, Status
from tests.conftest import race

pytestmark = [pytest.mark.django_db(transaction=True)]


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
    results = race(8, lambda i: services.appeal_sign(actor=users[i], appeal=a))
    assert results.count("ok") == 1, results
    assert Appeal.objects.get(pk=a.pk).status == Status.IN_PROGRESS
    assert Event.objects.filter(appeal=a, action="sign").count() == 1


def test_two_staff_accept_at_once_exactly_one_wins(require_postgres, world, new_appeal):
    a = new_appeal()
    staff, secretary = world.user("staff"), world.user("secretary")
    results = race(6, lambda i: services.appeal_accept(actor=(staff, secretary)[i % 2], appeal=a))
    assert results.count("ok") == 1, results
    assert set(results) - {"ok"} == {"InvalidTransition"}
    assert Event.objects.filter(appeal=a, action="accept").count() == 1


def test_concurrent_submits_with_one_key_make_one_appeal(require_postgres, world):
    from linli.registry.models import Place

    place = Place.objects.filter(kind="dwelling", path__startswith=world.building.path).first()
    resident = world.user("resident")
    results = race(
        10,
        lambda i: services.appeal_submit(
            actor=resident, place=place, title="t", description="同一次提交", channel="resident", idempotency_key="same-key"
        ),
    )
    assert results.count("ok") == 10
    assert Appeal.objects.filter(description="同一次提交").count() == 1
