"""One regression test per defect the access audit found (issue "One home for every
permission"), numbered as in the issue. Items 3, 6, 7, 10 and 12 also have tests beside their
code (test_open311, test_excel_import, test_phone_verification, test_login_and_sessions)."""

import json
import logging
from datetime import date

import pytest
from django.db import connection
from django.urls import reverse

from linli.accounts.models import Role, User
from linli.appeals import services as appeal_services
from linli.appeals.models import Appeal, Status, Support
from linli.core.models import AuditEntry
from linli.registry import services as registry_services
from linli.registry.models import CareTag, Organisation
from linli.registry.services import roles
from tests.conftest import race
from tests.councils.builders import advance

BIRTH = date(1960, 5, 17)  # make_id's default birth date: 张三's
BIRTH_FORMS = ("1960-05-17", "19600517", "1960年5月17日", "May 17, 1960", "1960-5-17")


# 1 -------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["buildinghead", "gridworker", "street", "staff", "dual_none"])
def test_1_no_birth_date_beside_a_masked_id_number(world, login, role):
    """The mask hides exactly the birth date: no page or API answer shows it (age band instead)."""
    if role == "dual_none":
        role = "gridleader"
    client = login(world.user(role))
    r = world.resident
    assert r.birth_date == BIRTH
    urls = [
        reverse("registry:resident", args=[r.pk]),
        reverse("registry:household", args=[r.household_id]),
        reverse("registry:residents"),
        f"/api/registry/residents/{r.pk}/",
        "/api/registry/residents/",
    ]
    if role in ("gridworker", "gridleader", "staff", "street"):
        urls.append(reverse("registry:grid", args=[world.grid.pk]))
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, url
        body = response.content.decode()
        assert r.id_number_masked in body or "id_number_masked" not in body
        for form in BIRTH_FORMS:
            assert form not in body, (url, form)
    detail = client.get(f"/api/registry/residents/{r.pk}/").json()
    assert "birth_date" not in detail and detail["age_band"] == "60–69岁"


def test_1_the_change_history_keeps_the_age_band_not_the_birth_date(world, login):
    registry_services.resident_update(actor=world.admin, resident=world.resident, id_number=_other_id())
    body = login(world.user("gridworker")).get(reverse("registry:resident", args=[world.resident.pk])).content.decode()
    for form in BIRTH_FORMS:
        assert form not in body


def _other_id():
    from tests.conftest import make_id

    return make_id(born=date(1972, 8, 9))


# 2 -------------------------------------------------------------------------------------------------


def test_2_whole_number_searches_are_audited_and_limited(world, login):
    client = login(world.user("buildinghead"))
    phone = "13800138000"
    response = client.get("/api/registry/residents/", {"q": phone})
    assert response.status_code == 200 and response.json()["count"] == 1
    entry = AuditEntry.objects.get(action="search", actor=world.user("buildinghead"))
    assert entry.note == "phone results=1" and phone not in json.dumps(entry.changes) + entry.note
    for i in range(29):
        assert client.get("/api/registry/residents/", {"q": f"1380013{i:04d}"}).status_code == 200
    assert client.get("/api/registry/residents/", {"q": "13900139000"}).status_code == 429
    page = client.get(reverse("registry:residents"), {"q": "13900139000"})
    assert page.status_code == 429 and "过于频繁" in page.content.decode()
    # Names and the last four digits are not limited.
    assert client.get("/api/registry/residents/", {"q": "8000"}).status_code == 200
    assert client.get("/api/registry/residents/", {"q": "张三"}).status_code == 200


# 4 -------------------------------------------------------------------------------------------------


def test_4_an_idempotency_key_belongs_to_its_sender(world, login, neighbour):
    data = {"place_id": world.building.pk, "description": "路灯坏了"}
    mine = login(world.user("resident")).post("/api/appeals/", data, content_type="application/json", HTTP_IDEMPOTENCY_KEY="abc")
    theirs = login(neighbour).post("/api/appeals/", data, content_type="application/json", HTTP_IDEMPOTENCY_KEY="abc")
    assert mine.status_code == 201 and theirs.status_code == 201
    assert mine.json()["id"] != theirs.json()["id"]
    assert Appeal.objects.get(pk=theirs.json()["id"]).reporter == neighbour


def test_4_and_13_a_long_or_odd_idempotency_key_is_a_400(world, login):
    client = login(world.user("resident"))
    data = {"place_id": world.building.pk, "description": "路灯坏了"}
    for key in ("k" * 65, "键"):
        r = client.post("/api/appeals/", data, content_type="application/json", HTTP_IDEMPOTENCY_KEY=key)
        assert r.status_code == 400 and "idempotency_key" in r.json()
    assert not Appeal.objects.exists()


# 5 -------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["far_staff", "resident", "far_property_org", "far_gridworker"])
def test_5_dispatch_only_to_eligible_handlers(world, login, new_appeal, who):
    a = appeal_services.appeal_accept(actor=world.user("staff"), appeal=new_appeal())
    if who == "far_property_org":
        org = registry_services.organisation_create(
            actor=world.admin, place=world.other_community, kind="property_company", name="新桥物业"
        )
        body = {"organisation_ids": [org.pk]}
    else:
        body = {"user_ids": [world.user(who).pk]}
    r = login(world.user("staff")).post(f"/api/appeals/{a.pk}/dispatch/", body, content_type="application/json")
    assert r.status_code == 400
    a.refresh_from_db()
    assert a.status == Status.ACCEPTED and not a.assignments.exists()
    # The service refuses too, whoever calls it.
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        if who == "far_property_org":
            appeal_services.appeal_dispatch(actor=world.user("staff"), appeal=a, organisations=[org])
        else:
            appeal_services.appeal_dispatch(actor=world.user("staff"), appeal=a, users=[world.user(who)])


# 6 -------------------------------------------------------------------------------------------------


def test_6_uploaded_files_are_never_public_media(world, login, new_appeal, client):
    from tests.appeals.test_photos import jpeg_with_gps, upload

    a = new_appeal(photos=[upload(jpeg_with_gps())])
    photo = a.photos.get()
    name = photo.image.name
    assert name.startswith("appeals/") and "photo" not in name.rsplit("/", 1)[1]
    assert client.get(f"/media/{name}").status_code == 404
    assert login(world.user("far_staff")).get(reverse("appeals:photo", args=[a.pk, photo.pk])).status_code == 404
    assert login(world.user("gridworker")).get(reverse("appeals:photo", args=[a.pk, photo.pk])).status_code == 200


# 8 -------------------------------------------------------------------------------------------------


def test_8_open_appeals_of_a_building_only_for_its_neighbours(world, login, new_appeal, neighbour):
    a = new_appeal(description="三楼的灯坏了很久了")
    url = f"{reverse('appeals:report')}?place={world.building.pk}"
    assert a.title in login(neighbour).get(url).content.decode()
    for outsider in ("far_staff", "far_gridworker", "property"):
        assert a.title not in login(world.user(outsider)).get(url).content.decode(), outsider
    # Only a neighbour may add their voice (and so receive its notices).
    for outsider in ("far_staff", "property", "gridworker"):
        assert login(world.user(outsider)).post(reverse("appeals:support", args=[a.pk])).status_code == 404
    assert not Support.objects.exists()
    login(neighbour).post(reverse("appeals:support", args=[a.pk]))
    assert Support.objects.filter(user=neighbour).exists()
    # A neighbour who supports sees the public view, not the reporter's words or dwelling.
    body = login(neighbour).get(reverse("appeals:status", args=[a.pk])).content.decode()
    assert a.description not in body and "101" not in body


# 9 -------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("target", ["//evil.example/", "https://evil.example/x", "/\\evil.example", "javascript:alert(1)"])
def test_9_no_open_redirect_after_phone_verification(db, client, target):
    from linli.core.verification import phone_code_send

    phone_code_send(phone="13911117777")
    from linli.core.models import Notification

    code = __import__("re").search(r"\d{6}", Notification.objects.latest("id").text).group()
    r = client.post(reverse("appeals:verify"), {"phone": "13911117777", "code": code, "next": target})
    assert r.status_code == 302 and r["Location"] == reverse("appeals:report")


# 10 ------------------------------------------------------------------------------------------------


def test_10_the_request_log_keeps_no_query_string_and_no_number():
    import io

    from linli.core.logging import AccessLogFilter

    # The handler settings give the request log (pytest adds capture handlers of its own).
    configured = [h for h in logging.getLogger("django.server").handlers if any(isinstance(f, AccessLogFilter) for f in h.filters)]
    assert configured
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    for f in configured[0].filters:
        handler.addFilter(f)
    logger = logging.getLogger("test.access")
    logger.addHandler(handler)
    try:
        logger.warning('"%s" %s %s', "GET /registry/residents/?q=13800138000&tag=low_income HTTP/1.1", "200", "1234")
        logger.warning('"%s" %s %s', "GET /registry/residents/340102199003070015/ HTTP/1.1", "404", "12")
    finally:
        logger.removeHandler(handler)
    out = stream.getvalue()
    assert "13800138000" not in out and "low_income" not in out and "340102199003070015" not in out
    assert "/registry/residents/?…" in out


# 11 ------------------------------------------------------------------------------------------------


def test_11a_care_tags_are_decided_per_row_for_a_user_with_two_roles(world, login):
    """Grid worker of grid 2 and building head of building 1: sensitive tags of grid 2's
    residents, none of building 1's (a building head sees no care status)."""
    dual = User.objects.create_user("dual", password="x-Strong-pass-1")
    roles.role_assign(actor=world.admin, user=dual, role=Role.GRID_WORKER, grid=world.other_grid)
    roles.role_assign(actor=world.admin, user=dual, role=Role.BUILDING_HEAD, place=world.building)
    low = CareTag.objects.get(code="low_income")
    world.other_resident.care_tags.add(low)
    party = CareTag.objects.get(code="party_member")
    world.resident.care_tags.add(party)
    client = login(dual)
    rows = {r["name"]: r["care_tags"] for r in client.get("/api/registry/residents/").json()["results"]}
    assert rows["张三"] == ["party_member"]  # elderly_alone (sensitive) hidden; party member is not sensitive
    assert rows["李四"] == ["low_income"]
    assert client.get(f"/api/registry/residents/{world.resident.pk}/").json()["care_tags"] == ["party_member"]
    rows_html = client.get(reverse("registry:residents"), HTTP_HX_REQUEST="true").content.decode()
    assert "独居老人" not in rows_html and "低保户" in rows_html and "党员" in rows_html
    # Filtering by a sensitive tag finds only the rows whose tags this user may see.
    world.resident.care_tags.add(low)
    found = {r["name"] for r in client.get("/api/registry/residents/", {"tag": "low_income"}).json()["results"]}
    assert found == {"李四"}
    found = {r["name"] for r in client.get("/api/registry/residents/", {"tag": "party_member"}).json()["results"]}
    assert found == {"张三"}


def test_11b_claimers_claim_only_in_their_own_community(world, login):
    from linli.wishes import services as wish_services

    wish = wish_services.wish_approve(
        actor=world.user("far_staff"),
        wish=wish_services.wish_post(actor=world.user("far_staff"), resident=world.far_resident, kind="goods", title="新桥心愿"),
    )
    assert login(world.user("property")).post(f"/api/wishes/{wish.pk}/claim/", {}, content_type="application/json").status_code == 404
    wish.refresh_from_db()
    assert wish.status == "open"
    far_org = registry_services.organisation_create(actor=world.admin, place=world.other_community, kind="partner_unit", name="新桥共建")
    far_partner = User.objects.create_user("far_partner", password="x-Strong-pass-1")
    roles.role_assign(actor=world.admin, user=far_partner, role=Role.PARTNER_STAFF, organisation=far_org)
    r = login(far_partner).post(f"/api/wishes/{wish.pk}/claim/", {"organisation_id": far_org.pk}, content_type="application/json")
    assert r.status_code == 200 and r.json()["status"] == "claimed"
    wish.refresh_from_db()
    assert wish.claimed_for == far_org


def test_11c_a_resident_convener_publishes_a_resolution_that_resolves_its_appeals(world, new_appeal):
    from linli.councils import services as councils
    from linli.councils.models import Member

    council = councils.council_create(actor=world.user("staff"), community=world.community, name="邻里议事会")
    councils.member_add(actor=world.user("staff"), council=council, name="张三", role=Member.Role.CONVENER, user=world.user("resident"))
    a = appeal_services.appeal_accept(actor=world.user("staff"), appeal=new_appeal())
    a = appeal_services.appeal_dispatch(actor=world.user("staff"), appeal=a, users=[world.user("gridworker")])
    a = appeal_services.appeal_sign(actor=world.user("gridworker"), appeal=a)
    b = new_appeal(description="同一盏灯")  # still submitted: a council resolution answers it as well
    topic = councils.topic_from_appeals(actor=world.user("staff"), council=council, appeals=[a, b], title="楼道照明")
    convener = world.user("resident")
    while topic.step != "decide":
        topic = advance(convener, topic)
    from django.utils import timezone

    meeting = councils.meeting_schedule(actor=convener, council=council, kind="matter", title="会", scheduled_at=timezone.now())
    councils.meeting_sign_in(actor=convener, meeting=meeting, member=council.members.get())
    vote = councils.vote_open(actor=convener, topic=topic, rule="majority", meeting=meeting)
    councils.ballot_cast(actor=convener, vote=vote, choice="for")
    vote = councils.vote_close(actor=convener, vote=vote)
    councils.resolution_publish(
        actor=convener, topic=topic, vote=vote, decision="加装声控灯", responsible="物业", due_on=date(2026, 12, 31)
    )
    for x in (a, b):
        x.refresh_from_db()
        assert x.status == Status.RESOLVED and "加装声控灯" in x.result
        assert x.events.filter(action="council_resolve", actor=convener).exists()


# 13 ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        "/registry/residents/?q=%00",
        "/api/registry/residents/?q=%00",
        "/api/appeals/?q=%00",
        "/appeals/?q=%00",
        "/open311/v2/requests.json?service_code=%00",
        "/open311/v2/requests.json?jurisdiction_id=%00",
        "/api/appeals/categories/?community=abc",
        "/api/registry/residents/?grid=abc",
        "/api/registry/places/?parent=1e9",
        "/api/appeals/?status=bogus",
        "/api/wishes/?community=abc",
        "/wishes/post/?resident=abc",
    ],
)
def test_13_bad_query_parameters_are_answered_not_crashed(world, login, url):
    r = login(world.user("staff")).get(url)
    assert r.status_code in (400, 404), (url, r.status_code)


def test_13_a_huge_id_is_a_404_by_the_url_map(world, login):
    client = login(world.user("staff"))
    for url in ("/appeals/99999999999999999999999/", "/api/appeals/99999999999999999999/", "/registry/residents/9999999999999999999999/"):
        assert client.get(url).status_code == 404


def test_13_council_and_wish_forms_refuse_bad_values_with_400(world, login):
    from linli.councils import services as councils
    from linli.councils.models import Member

    staff = login(world.user("staff"))
    council = councils.council_create(actor=world.user("staff"), community=world.community, name="议事会")
    councils.member_add(
        actor=world.user("staff"), council=council, name="陈静", role=Member.Role.GRID_WORKER, user=world.user("gridworker")
    )
    topic = councils.topic_propose(actor=world.user("staff"), council=council, title="议题", source="staff")
    while topic.step != "decide":
        topic = advance(world.user("staff"), topic)
    meeting = councils.meeting_schedule(
        actor=world.user("staff"),
        council=council,
        kind="matter",
        title="会",
        scheduled_at=__import__("django.utils.timezone").utils.timezone.now(),
    )
    cases = [
        (reverse("councils:topic_act", args=[topic.pk, "vote_open"]), {"rule": "bogus"}),
        (
            reverse("councils:topic_act", args=[topic.pk, "resolution"]),
            {"decision": "x", "responsible": "y", "due_on": "2026-12-01", "notice_days": "seven"},
        ),
        (reverse("councils:topic_act", args=[topic.pk, "resolution"]), {"decision": "x", "responsible": "y", "due_on": "tomorrow"}),
        (reverse("councils:meeting", args=[meeting.pk]), {"present": "abc"}),
        (reverse("councils:meeting_new", args=[council.pk]), {"kind": "matter", "title": "会", "scheduled_at": "2026-13-45T99:99"}),
        (reverse("councils:meeting_new", args=[council.pk]), {"kind": "weekly", "title": "会", "scheduled_at": "2026-12-01T19:00"}),
        (
            reverse("councils:vote_act", args=[1, "cast"]) if False else reverse("councils:topic_act", args=[topic.pk, "option"]),
            {"title": ""},
        ),
    ]
    for url, data in cases:
        r = staff.post(url, data)
        assert r.status_code == 400, (url, data, r.status_code)
    # Progress on a topic without a resolution: there is nothing to report on.
    assert staff.post(reverse("councils:topic_act", args=[topic.pk, "progress"]), {"note": "x"}).status_code == 404
    worker = login(world.user("gridworker"))
    assert worker.post(reverse("wishes:post"), {"resident": "abc", "title": "x", "kind": "goods"}).status_code == 404
    assert (
        worker.post(
            f"{reverse('wishes:post')}?resident={world.resident.pk}", {"resident": world.resident.pk, "title": "x", "kind": "bogus"}
        ).status_code
        == 400
    )


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True)
def test_13_twenty_concurrent_registrations_of_one_id_number_make_one_resident():
    from django.core.exceptions import ValidationError

    from linli.registry.models import Resident
    from tests.conftest import build_world, make_id

    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL only")
    world = build_world()
    number = make_id(born=date(1988, 8, 8))
    outcomes = race(
        20,
        lambda i: registry_services.resident_create(actor=world.admin, household=world.household, name=f"重号{i}", id_number=number),
    )
    assert outcomes.count("ok") == 1
    assert set(outcomes) == {"ok", ValidationError.__name__}
    assert Resident.objects.filter(name__startswith="重号").count() == 1


# 14 ------------------------------------------------------------------------------------------------


def test_14_healthz_says_503_when_the_database_does_not_answer(db, client, monkeypatch):
    from django.db.utils import OperationalError

    class Unreachable:
        vendor = connection.vendor

        def cursor(self):
            raise OperationalError("connection refused")

        def close_if_unusable_or_obsolete(self):
            pass

    assert client.get("/healthz").status_code == 200
    monkeypatch.setattr("linli.core.views.connection", Unreachable())
    r = client.get("/healthz")
    assert r.status_code == 503 and r.json()["database"] == "unavailable"


def test_14_a_database_outage_is_a_clear_503_not_a_500(world, login, monkeypatch):
    from django.db.utils import OperationalError

    from linli.appeals import selectors

    client = login(world.user("staff"))

    def down(*args, **kwargs):
        raise OperationalError("server closed the connection unexpectedly")

    monkeypatch.setattr(selectors, "appeal_list", down)
    api = client.get("/api/appeals/")
    assert api.status_code == 503 and api["Retry-After"] and "detail" in api.json()
    page = client.get(reverse("appeals:list"))
    assert page.status_code == 503 and "稍后再试" in page.content.decode()


@pytest.mark.parametrize("where", ["session store", "session row"])
def test_14_an_outage_while_the_session_is_saved_is_a_503_too(world, login, monkeypatch, where):
    """The session is saved after the view, outside any view's error handling: during a
    PostgreSQL restart that failure is the same 503 (Django would say 500, or 400 "session
    deleted by a concurrent request" when the row update fails)."""
    from django.contrib.sessions.backends.db import SessionStore
    from django.contrib.sessions.models import Session
    from django.db.utils import OperationalError

    from linli.core.middleware import SessionIdleMiddleware

    client = login(world.user("staff"))
    client.raise_request_exception = False
    session = client.session
    session[SessionIdleMiddleware.KEY] = 0  # due for its refresh: the requests below save it
    session.save()

    def down(*args, **kwargs):
        raise OperationalError("terminating connection due to administrator command")

    monkeypatch.setattr(SessionStore if where == "session store" else Session, "save", down)
    api = client.get("/api/appeals/")
    assert api.status_code == 503 and api["Retry-After"] == "5" and "detail" in api.json()
    page = client.get(reverse("appeals:list"))
    assert page.status_code == 503 and "稍后再试" in page.content.decode()


# 15 ------------------------------------------------------------------------------------------------


def test_15_lists_are_documented_as_pages_and_errors_are_documented(world, login):
    schema = login(world.user("staff")).get("/api/schema/?format=json").json()
    for path in (
        "/api/registry/places/",
        "/api/registry/grids/",
        "/api/registry/residents/",
        "/api/registry/facilities/",
        "/api/registry/organisations/",
        "/api/appeals/",
    ):
        ok = schema["paths"][path]["get"]["responses"]["200"]["content"]["application/json"]["schema"]["$ref"]
        component = schema["components"]["schemas"][ok.rsplit("/", 1)[1]]
        assert {"count", "results"} <= set(component["properties"]), path
    for path, methods in schema["paths"].items():
        for method, op in methods.items():
            assert {"403", "503"} <= set(op["responses"]), (method, path)
            if "{" in path:
                assert "404" in op["responses"], (method, path)
            if method in ("post", "patch"):
                assert "400" in op["responses"], (method, path)


def test_property_org_lookups_cover_the_whole_community(world):
    """The property company serving a compound is among the eligible handlers of its appeals."""
    from linli.appeals.access import eligible_handlers

    a, _ = appeal_services.appeal_submit(
        actor=world.user("resident"), place=world.building, title="", description="电梯坏了", channel="resident"
    )
    assert Organisation.objects.get(name="红枫物业") in eligible_handlers(a).organisations
