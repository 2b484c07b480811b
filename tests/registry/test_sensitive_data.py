"""Masking by default, full values only to roles that may, every full view audited, and no
personal data in the audit log itself."""

from django.urls import reverse

from linli.core.models import AuditEntry
from linli.registry import services


def test_pages_show_masked_values(world, login):
    body = login(world.user("staff")).get(reverse("registry:resident", args=[world.resident.pk])).content.decode()
    assert world.resident.id_number not in body
    assert world.resident.id_number_masked in body
    assert "13800138000" not in body and "138****8000" in body


def test_reveal_returns_full_value_and_writes_audit_without_it(world, login):
    client = login(world.user("staff"))
    before = AuditEntry.objects.filter(action="reveal").count()
    response = client.post(reverse("registry:resident_reveal", args=[world.resident.pk, "id_number"]))
    assert response.status_code == 200
    assert world.resident.id_number in response.content.decode()
    entry = AuditEntry.objects.filter(action="reveal").latest("id")
    assert AuditEntry.objects.filter(action="reveal").count() == before + 1
    assert entry.actor == world.user("staff") and entry.target_id == str(world.resident.pk) and entry.note == "id_number"
    assert world.resident.id_number not in str(entry.changes) + entry.note + entry.target_label
    assert world.resident.name not in entry.target_label  # masked name only


def test_grid_worker_may_reveal_phone_but_not_id(world, login):
    client = login(world.user("gridworker"))
    assert client.post(reverse("registry:resident_reveal", args=[world.resident.pk, "phone"])).status_code == 200
    assert client.post(reverse("registry:resident_reveal", args=[world.resident.pk, "id_number"])).status_code == 404
    assert not AuditEntry.objects.filter(action="reveal", note="id_number", actor=world.user("gridworker")).exists()


def test_reveal_is_post_only(world, login):
    client = login(world.user("staff"))
    assert client.get(reverse("registry:resident_reveal", args=[world.resident.pk, "phone"])).status_code == 405


def test_api_reveal_audited(world, login):
    client = login(world.user("staff"))
    response = client.post(reverse("api-resident-reveal", args=[world.resident.pk]), {"field": "phone"}, content_type="application/json")
    assert response.json() == {"field": "phone", "value": "13800138000"}
    assert AuditEntry.objects.filter(action="reveal", actor=world.user("staff"), note="phone").exists()


def test_api_lists_are_masked(world, login):
    data = login(world.user("staff")).get(reverse("api-residents")).json()
    text = str(data)
    assert world.resident.id_number not in text and "13800138000" not in text
    assert world.resident.id_number_masked in text


def test_stored_values_are_encrypted(world):
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT id_number, phone FROM registry_resident WHERE id = %s", [world.resident.pk])
        raw_id, raw_phone = cursor.fetchone()
    assert world.resident.id_number not in raw_id and "13800138000" not in raw_phone


def test_change_audit_has_before_and_after_masked(world):
    services.resident_update(actor=world.user("staff"), resident=world.resident, phone="13912345678", name="张三丰")
    entry = AuditEntry.objects.filter(action="update", target_id=str(world.resident.pk)).latest("id")
    assert entry.changes["name"] == ["张三", "张三丰"]
    assert entry.changes["phone"] == ["138****8000", "139****5678"]
    assert "13912345678" not in str(entry.changes)
    assert entry.actor == world.user("staff")


def test_care_tags_hidden_from_building_head(world, login):
    body = login(world.user("buildinghead")).get(reverse("registry:resident", args=[world.resident.pk])).content.decode()
    assert "独居老人" not in body
    body = login(world.user("gridworker")).get(reverse("registry:resident", args=[world.resident.pk])).content.decode()
    assert "独居老人" in body


def test_no_personal_data_anywhere_in_audit_log(world):
    services.resident_reveal(actor=world.user("staff"), resident=world.resident, field="id_number")
    services.resident_update(actor=world.user("staff"), resident=world.resident, phone="13912345678")
    dump = str(list(AuditEntry.objects.values()))
    for r in (world.resident, world.other_resident, world.far_resident):
        assert r.id_number not in dump
    assert "13912345678" not in dump and "13800138000" not in dump
