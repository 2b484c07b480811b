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
    # The client follows what it posted (with its key); nobody else sees an open request.
    assert client.get(f"/open311/v2/tokens/{number}.json?api_key={key}").json() == [{"service_request_id": number, "token": number}]
    own = client.get(f"/open311/v2/requests/{number}.json?api_key={key}").json()
    assert own[0]["status"] == "open" and "路灯不亮" not in json.dumps(own, ensure_ascii=False)
    assert client.get(f"/open311/v2/tokens/{number}.json").status_code == 404
    assert client.get(f"/open311/v2/requests/{number}.json").status_code == 404


def test_idempotency_key_belongs_to_its_client(world, client, key):
    other = issue_key(name="另一个客户端", community=world.community)[1]
    data = {"service_code": "facilities", "description": "路灯不亮", "address_id": str(world.building.pk)}
    first = client.post("/open311/v2/requests.json", {**data, "api_key": key}, HTTP_IDEMPOTENCY_KEY="k1")
    again = client.post("/open311/v2/requests.json", {**data, "api_key": key}, HTTP_IDEMPOTENCY_KEY="k1")
    theirs = client.post("/open311/v2/requests.json", {**data, "api_key": other}, HTTP_IDEMPOTENCY_KEY="k1")
    assert first.json()[0]["service_request_id"] == again.json()[0]["service_request_id"]
    assert theirs.json()[0]["service_request_id"] != first.json()[0]["service_request_id"]


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


def _resolved(world, new_appeal, **kw):
    a = new_appeal(**kw)
    staff, worker = world.user("staff"), world.user("gridworker")
    services.appeal_accept(actor=staff, appeal=a)
    services.appeal_dispatch(actor=staff, appeal=a, users=[worker])
    services.appeal_sign(actor=worker, appeal=a)
    return services.appeal_resolve(actor=worker, appeal=a, result="已修好，有事请打139-1234-5678找王师傅")


def test_requests_show_only_what_the_board_shows(world, new_appeal, client):
    """Regression (access issue #3): open and rejected appeals, names, health details and phones
    written with separators never reach Open311."""
    public = _resolved(world, new_appeal, description="张大爷腿脚不便，路灯坏了，请打139 1234 5678联系我", contact_phone="13912345678")
    still_open = new_appeal(description="王阿姨高血压，楼道灯坏了")
    services.appeal_accept(actor=world.user("staff"), appeal=still_open)
    rejected = new_appeal(description="李四家漏水")
    services.appeal_reject(actor=world.user("staff"), appeal=rejected, reason="李四电话13712345678，已转物业")
    listing = client.get(f"/open311/v2/requests.json?jurisdiction_id={world.community.code}").json()
    validator("requests.json").validate(listing)
    assert [r["service_request_id"] for r in listing] == [public.number]
    (item,) = listing
    assert item["status"] == "closed" and item["service_code"] == "facilities"
    text = json.dumps(listing, ensure_ascii=False)
    for secret in ("1234", "张大爷", "腿脚", "王阿姨", "李四", "101"):
        assert secret not in text, secret
    assert "139****5678" in item["status_notes"]
    detail = client.get(f"/open311/v2/requests/{public.number}.json").json()
    validator("requests.json").validate(detail)
    for hidden in (still_open, rejected):
        assert client.get(f"/open311/v2/requests/{hidden.number}.json").status_code == 404
        assert client.get(f"/open311/v2/requests.json?service_request_id={hidden.number}").json() == []
    assert client.get("/open311/v2/requests/nope.json").status_code == 404


def test_status_and_date_filters(world, new_appeal, in_progress, client):
    done = _resolved(world, new_appeal)
    closed = client.get("/open311/v2/requests.json?status=closed").json()
    assert [r["service_request_id"] for r in closed] == [done.number]
    assert client.get("/open311/v2/requests.json?status=open").json() == []  # open ones are never public
    assert client.get("/open311/v2/requests.json?start_date=2000-01-01&end_date=2000-01-02").json() == []
    assert client.get("/open311/v2/requests.json?start_date=garbage").status_code == 400


def test_bad_parameters_are_400_not_500(world, client):
    for query in ("service_code=%00", "jurisdiction_id=%00", "service_request_id=%00", "api_key=%00"):
        assert client.get(f"/open311/v2/requests.json?{query}").status_code == 400, query


def test_xml_formats(world, new_appeal, client):
    a = _resolved(world, new_appeal)
    root = ET.fromstring(client.get("/open311/v2/services.xml").content)
    assert root.tag == "services" and root.find("service/service_code") is not None
    root = ET.fromstring(client.get(f"/open311/v2/requests/{a.number}.xml").content)
    assert root.tag == "service_requests" and root.find("request/service_request_id").text == a.number
    root = ET.fromstring(client.get("/open311/v2/discovery.xml").content)
    assert root.find("endpoints/endpoint/specification") is not None
