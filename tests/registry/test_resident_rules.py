import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from linli.registry import services
from linli.registry.models import Resident
from tests.conftest import make_id


def test_invalid_id_number_is_refused_and_nothing_saved(world):
    count = Resident.objects.count()
    with pytest.raises(ValidationError) as e:
        services.resident_create(actor=world.admin, household=world.household, name="赵六", id_number="110101199003070016")
    assert "id_number" in e.value.message_dict
    assert Resident.objects.count() == count


def test_gender_and_birth_date_come_from_id_number(world):
    number = make_id()
    r = services.resident_create(actor=world.admin, household=world.household, name="钱七", id_number=number)
    assert r.gender == "M" and r.birth_date.isoformat() == "1960-05-17"
    with pytest.raises(ValidationError):
        services.resident_create(actor=world.admin, household=world.household, name="钱八", id_number=make_id(), gender="F")


def test_same_id_number_twice_is_refused(world):
    with pytest.raises(ValidationError):
        services.resident_create(actor=world.admin, household=world.other_household, name="张三", id_number=world.resident.id_number)


def test_invalid_phone(world):
    with pytest.raises(ValidationError) as e:
        services.resident_update(actor=world.admin, resident=world.resident, phone="12345")
    assert "phone" in e.value.message_dict


def test_grid_worker_cannot_edit_other_grid(world):
    with pytest.raises(PermissionDenied):
        services.resident_update(actor=world.user("gridworker"), resident=world.other_resident, name="x")


def test_edit_form_shows_errors_and_keeps_input(world, login):
    client = login(world.user("gridworker"))
    url = reverse("registry:resident_edit", args=[world.resident.pk])
    response = client.post(url, {"name": "张三", "id_number": "123", "phone": "", "relationship": "head", "registration": "huji"})
    assert response.status_code == 200
    assert "身份证号码应为18位" in response.content.decode()
    world.resident.refresh_from_db()
    assert world.resident.name == "张三"


def test_edit_form_saves(world, login):
    client = login(world.user("gridworker"))
    url = reverse("registry:resident_edit", args=[world.resident.pk])
    response = client.post(url, {"name": "张三丰", "relationship": "head", "registration": "changzhu"})
    assert response.status_code == 302
    world.resident.refresh_from_db()
    assert world.resident.name == "张三丰" and world.resident.registration == "changzhu"
    assert world.resident.phone == "13800138000"  # blank means unchanged


def test_api_create_validates_on_server(world, login):
    client = login(world.user("staff"))
    bad = client.post(
        reverse("api-residents"),
        {"household_id": world.household.pk, "name": "孙九", "id_number": "1101011990030700"},
        content_type="application/json",
    )
    assert bad.status_code == 400 and "id_number" in bad.json()
    ok = client.post(
        reverse("api-residents"),
        {"household_id": world.household.pk, "name": "孙九", "phone": "+86 139 0000 1111", "gender": "F"},
        content_type="application/json",
    )
    assert ok.status_code == 201 and ok.json()["phone_masked"] == "139****1111"
    outside = client.post(
        reverse("api-residents"), {"household_id": world.far_household.pk, "name": "孙十", "gender": "F"}, content_type="application/json"
    )
    assert outside.status_code == 404
