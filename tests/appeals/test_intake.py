"""Intake: validation, idempotent submit, reporting on someone's behalf, merging, suggestions."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from linli.appeals import services
from linli.appeals.models import Appeal, Channel, Status
from linli.appeals.selectors import similar_open_appeals


def test_same_idempotency_key_creates_one_appeal(world, new_appeal):
    a = new_appeal(idempotency_key="k-123")
    again, created = services.appeal_submit(
        actor=world.user("resident"), place=a.place, title="x", description="重复点击", channel="resident", idempotency_key="k-123"
    )
    assert not created and again.pk == a.pk
    assert Appeal.objects.count() == 1


@pytest.mark.parametrize("field, kw", [("description", {"description": ""}), ("contact_phone", {"contact_phone": "123"})])
def test_bad_input_is_refused(world, new_appeal, field, kw):
    with pytest.raises(ValidationError) as e:
        new_appeal(**kw)
    assert field in e.value.message_dict
    assert Appeal.objects.count() == 0


def test_reporting_for_others_needs_the_role_there(world, new_appeal):
    a = new_appeal(actor=world.user("gridworker"), channel=Channel.GRID_WORKER, reporter_name="王奶奶")
    assert a.recorded_by == world.user("gridworker") and a.reporter_name == "王奶奶"
    with pytest.raises(PermissionDenied):
        new_appeal(actor=world.user("other_gridworker"), channel=Channel.GRID_WORKER)
    with pytest.raises(PermissionDenied):
        new_appeal(actor=world.user("resident"), channel=Channel.PHONE)


def test_contact_phone_stored_encrypted_and_masked(world, new_appeal):
    a = new_appeal(contact_phone="13912345678")
    assert a.contact_phone_masked == "139****5678"
    from django.db import connection

    with connection.cursor() as c:
        c.execute("SELECT contact_phone FROM appeals_appeal WHERE id = %s", [a.pk])
        assert "13912345678" not in c.fetchone()[0]


def test_keyword_suggestion_on_cold_start(world, new_appeal):
    a = new_appeal(category=None, title="路灯", description="小区门口的路灯坏了好几天")
    assert a.suggested_category.code == "facilities" and a.category == a.suggested_category
    b = new_appeal(category=None, title="狗叫扰民", description="隔壁的狗每天晚上叫")
    assert b.suggested_category.code == "pets"


def test_similar_open_appeals_at_the_same_building(world, new_appeal, neighbour):
    a = new_appeal()
    assert a in similar_open_appeals(a.place)
    assert services.appeal_support(actor=neighbour, appeal=a)
    assert not services.appeal_support(actor=neighbour, appeal=a)  # once per person


def test_merged_appeals_share_the_outcome(world, new_appeal):
    staff, worker = world.user("staff"), world.user("gridworker")
    main = new_appeal(description="楼道灯坏了")
    dup = new_appeal(description="三楼灯不亮")
    dup = services.appeal_merge(actor=staff, appeal=dup, into=main)
    assert dup.status == Status.MERGED and dup.merged_into == main
    services.appeal_accept(actor=staff, appeal=main)
    services.appeal_dispatch(actor=staff, appeal=main, users=[worker])
    services.appeal_sign(actor=worker, appeal=main)
    services.appeal_resolve(actor=worker, appeal=main, result="已换灯")
    dup.refresh_from_db()
    assert dup.status == Status.RESOLVED and dup.result == "已换灯"
    # Every reporter rates their own.
    dup = services.appeal_rate(actor=world.user("resident"), appeal=dup, rating=4)
    assert dup.status == Status.CLOSED
    with pytest.raises(ValidationError):
        services.appeal_merge(actor=staff, appeal=main, into=main)
