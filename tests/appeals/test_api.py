"""The appeals API: scoped like the pages, idempotent submit, every action through services."""

from django.urls import reverse

from linli.appeals.models import Appeal, Status


def post(client, url, data=None, **headers):
    return client.post(url, data or {}, content_type="application/json", **headers)


def test_submit_is_idempotent_and_validated(world, login):
    client = login(world.user("resident"))
    data = {"place_id": world.building.pk, "description": "路灯坏了"}
    first = post(client, reverse("api-appeals"), data, HTTP_IDEMPOTENCY_KEY="abc")
    again = post(client, reverse("api-appeals"), data, HTTP_IDEMPOTENCY_KEY="abc")
    assert first.status_code == 201 and again.status_code == 200 and first.json()["id"] == again.json()["id"]
    assert Appeal.objects.count() == 1
    bad = post(client, reverse("api-appeals"), {"place_id": world.building.pk, "description": "x", "contact_phone": "12"})
    assert bad.status_code == 400 and "contact_phone" in bad.json()


def test_full_flow_over_the_api(world, login, new_appeal):
    a = new_appeal()
    staff = login(world.user("staff"))
    assert post(staff, f"/api/appeals/{a.pk}/accept/").json()["status"] == Status.ACCEPTED
    r = post(staff, f"/api/appeals/{a.pk}/dispatch/", {"user_ids": [world.user("gridworker").pk]})
    assert r.json()["status"] == Status.DISPATCHED
    worker = login(world.user("gridworker"))
    assert post(worker, f"/api/appeals/{a.pk}/sign/").json()["status"] == Status.IN_PROGRESS
    assert post(worker, f"/api/appeals/{a.pk}/resolve/", {"result": "好了"}).json()["status"] == Status.RESOLVED
    resident = login(world.user("resident"))
    assert post(resident, f"/api/appeals/{a.pk}/rate/", {"rating": 6}).status_code == 400
    assert post(resident, f"/api/appeals/{a.pk}/rate/", {"rating": 5}).json()["status"] == Status.CLOSED
    detail = resident.get(f"/api/appeals/{a.pk}/").json()
    assert [e["action"] for e in detail["timeline"]][:2] == ["submit", "accept"]


def test_wrong_state_and_outsiders(world, login, new_appeal):
    a = new_appeal()
    staff = login(world.user("staff"))
    r = post(staff, f"/api/appeals/{a.pk}/resolve/", {"result": "x"})
    assert r.status_code == 400
    for outsider in ("far_staff", "other_gridworker", "property"):
        c = login(world.user(outsider))
        assert c.get(f"/api/appeals/{a.pk}/").status_code == 404
        assert post(c, f"/api/appeals/{a.pk}/accept/").status_code == 404
        assert a.number not in c.get("/api/appeals/").content.decode()


def test_schema_lists_every_action(world, login):
    schema = login(world.admin).get("/api/schema/").content.decode()
    for action in ("accept", "dispatch", "sign", "resolve", "rate", "merge", "set-level"):
        assert f"/api/appeals/{{id}}/{action}/" in schema


def test_every_appeal_endpoint_refuses_outsiders(world, login, new_appeal):
    from django.urls import get_resolver

    from linli.appeals.api import ACTION_APIS

    names = {n for n in get_resolver().reverse_dict if isinstance(n, str) and n.startswith("api-appeal")}
    assert names == {"api-appeals", "api-appeal", "api-appeal-categories"} | {f"api-appeal-{a}" for a in ACTION_APIS}
    a = new_appeal()
    for outsider in ("far_staff", "other_gridworker", "far_gridworker"):
        c = login(world.user(outsider))
        for action in ACTION_APIS:
            assert post(c, f"/api/appeals/{a.pk}/{action}/").status_code == 404, (outsider, action)
    a.refresh_from_db()
    assert a.status == Status.SUBMITTED and a.events.count() == 1


def test_api_rows_read_as_declared(world, login, new_appeal, django_assert_max_num_queries):
    """The list's hand-written rows equal DRF's generic reading of the declared fields, field for
    field, in full and public form, with and without category, deadlines, phone and merge; the
    list fetches only the columns the rows read (no query per row)."""
    from rest_framework import serializers

    from linli.accounts.scope import scope_for
    from linli.appeals import access, selectors, services
    from linli.appeals.api import AppealDetailOutput, AppealOutput

    staff = world.user("staff")
    plain = new_appeal(category=None, contact_phone="")
    Appeal.objects.filter(pk=plain.pk).update(category=None)  # the classifier may have guessed one
    phoned = new_appeal(contact_phone="13912345678")
    services.appeal_accept(actor=staff, appeal=phoned)
    dup = new_appeal(title="楼道灯又坏了")
    services.appeal_merge(actor=staff, appeal=dup, into=phoned)
    scope = scope_for(staff)
    rows = list(access.appeal_rows(scope, selectors.appeal_list(scope).select_related("merged_into")))
    assert {r.pk for r in rows} == {plain.pk, phoned.pk, dup.pk}

    def generic(ser, obj):
        return serializers.Serializer.to_representation(ser, obj)

    for row in rows:
        for full in (True, False):
            row.viewer_full = full
            ser = AppealOutput(context={"full": full})
            assert ser.to_representation(row) == generic(ser, row)
        row.viewer_full = True
    client = login(staff)
    with django_assert_max_num_queries(8):
        listed = client.get("/api/appeals/").json()["results"]
    assert listed == [generic(AppealOutput(), r) for r in rows]
    assert listed[-1]["contact_phone_masked"] == "" and any(r["contact_phone_masked"].endswith("5678") for r in listed)
    assert any(r["merged_into"] == phoned.number for r in listed) and any(r["category"] is None for r in listed)
    detail = AppealDetailOutput(phoned, context={"full": True, "public_only": False})
    assert detail.data == generic(detail, phoned)
