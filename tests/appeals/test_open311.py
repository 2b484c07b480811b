"""Open311 GeoReport v2: every endpoint in JSON and XML; JSON validated against the community
schemas in ../shared/data/open311 (skipped cleanly when that folder is absent)."""

import json
from pathlib import Path
from xml.etree import ElementTree as ET

import pytest

from linli.appeals import services
from linli.appeals.models import Appeal
from linli.appeals.open311 import issue_key
from tests.conftest import shared_data_dir

SCHEMAS = shared_data_dir() / "open311"


def validator(name):
    if not SCHEMAS.exists():
        pytest.skip("../shared/data/open311 is not here")
    from jsonschema import Draft4Validator
    from referencing import Registry

    registry = Registry()
    for path in SCHEMAS.glob("*.json"):
        if path.name != "swagger.json":
            registry = registry.with_resource(path.name, _resource(path))
    schema = json.loads((SCHEMAS / name).read_text())
    return Draft4Validator(schema, registry=registry)


def _resource(path: Path):
    from referencing import Resource
    from referencing.jsonschema import DRAFT4

    return Resource.from_contents(json.loads(path.read_text()), default_specification=DRAFT4)


@pytest.fixture
def key(world):
    return issue_key(name="测试客户端", community=world.community)[1]


def test_discovery_and_services_validate(world, client):
    assert client.get("/open311/v2/discovery.json").json()["endpoints"][0]["formats"] == ["application/json", "text/xml"]
    services_json = client.get(f"/open311/v2/services.json?jurisdiction_id={world.community.code}").json()
    validator("services.json").validate(services_json)
    assert {"facilities", "pets"} <= {s["service_code"] for s in services_json}
    definition = client.get("/open311/v2/services/facilities.json").json()
    validator("service-definition.json").validate(definition)
    assert client.get("/open311/v2/services/nope.json").status_code == 404


def test_post_needs_a_key_and_creates_an_appeal(world, client, key):
    data = {
        "service_code": "facilities",
        "description": "路灯不亮",
        "address_id": str(world.building.pk),
        "phone": "13900001111",
        "first_name": "三",
        "last_name": "张",
    }
    assert client.post("/open311/v2/requests.json", data).status_code == 403
    assert client.post("/open311/v2/requests.json", {**data, "api_key": "wrong"}).status_code == 403
    response = client.post("/open311/v2/requests.json", {**data, "api_key": key})
    assert response.status_code == 201
    number = response.json()[0]["service_request_id"]
    a = Appeal.objects.get(number=number)
    assert a.channel == "open311" and a.reporter_name == "张 三" and a.contact_phone == "13900001111"
    assert client.get(f"/open311/v2/tokens/{number}.json").json() == [{"service_request_id": number, "token": number}]


def test_post_errors_are_open311_errors(world, client, key):
    bad = client.post("/open311/v2/requests.json", {"api_key": key, "service_code": "facilities", "description": "x"})
    assert bad.status_code == 400 and "address" in bad.json()[0]["description"]
    far = client.post(
        "/open311/v2/requests.json",
        {"api_key": key, "service_code": "facilities", "description": "x", "address_id": str(world.far_building.pk)},
    )
    assert far.status_code == 400  # another community's place is not in this key's jurisdiction
    empty = client.post(
        "/open311/v2/requests.json", {"api_key": key, "service_code": "facilities", "description": "", "address_id": str(world.building.pk)}
    )
    assert empty.status_code == 400
    xml = client.post("/open311/v2/requests.xml", {"api_key": key, "service_code": "facilities", "description": "x"})
    assert ET.fromstring(xml.content).find("error/code").text == "400"


def test_requests_list_and_detail_validate_and_hide_personal_data(world, new_appeal, client):
    a = new_appeal(description="路灯坏了，请打13912345678联系我", contact_phone="13912345678")
    services.appeal_accept(actor=world.user("staff"), appeal=a)
    listing = client.get(f"/open311/v2/requests.json?jurisdiction_id={world.community.code}").json()
    validator("requests.json").validate(listing)
    (item,) = [r for r in listing if r["service_request_id"] == a.number]
    assert item["status"] == "open" and item["service_code"] == "facilities"
    text = json.dumps(listing, ensure_ascii=False)
    assert "13912345678" not in text and "101" not in item["address"]
    detail = client.get(f"/open311/v2/requests/{a.number}.json").json()
    validator("requests.json").validate(detail)
    assert client.get("/open311/v2/requests/nope.json").status_code == 404


def test_status_and_date_filters(world, new_appeal, in_progress, client):
    a = new_appeal()
    services.appeal_reject(actor=world.user("staff"), appeal=a, reason="重复")
    closed = client.get("/open311/v2/requests.json?status=closed").json()
    assert [r["service_request_id"] for r in closed] == [a.number]
    opened = client.get("/open311/v2/requests.json?status=open").json()
    assert in_progress.number in {r["service_request_id"] for r in opened}
    assert client.get("/open311/v2/requests.json?start_date=2000-01-01&end_date=2000-01-02").json() == []
    assert client.get("/open311/v2/requests.json?start_date=garbage").status_code == 400


def test_xml_formats(world, new_appeal, client):
    a = new_appeal()
    root = ET.fromstring(client.get("/open311/v2/services.xml").content)
    assert root.tag == "services" and root.find("service/service_code") is not None
    root = ET.fromstring(client.get(f"/open311/v2/requests/{a.number}.xml").content)
    assert root.tag == "service_requests" and root.find("request/service_request_id").text == a.number
    root = ET.fromstring(client.get("/open311/v2/discovery.xml").content)
    assert root.find("endpoints/endpoint/specification") is not None
