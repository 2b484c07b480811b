"""Councils and wishes over the API: scoped, one vote per voter, one claimer."""

from django.urls import get_resolver
from django.utils import timezone

from linli.councils import services
from linli.councils.voting import Rule
from tests.councils.builders import advance


def post(client, url, data=None):
    return client.post(url, data or {}, content_type="application/json")


def test_every_council_endpoint_is_walked(world, council, login):
    names = {
        n for n in get_resolver().reverse_dict if isinstance(n, str) and n.startswith(("api-council", "api-topic", "api-vote", "api-wish"))
    }
    assert names == {
        "api-councils",
        "api-council-topics",
        "api-topic-support",
        "api-vote",
        "api-vote-cast",
        "api-vote-close",
        "api-wishes",
        "api-wish-claim",
        "api-wish-confirm",
        "api-wish-approve",
    }
    t = services.topic_propose(actor=world.user("resident"), council=council, title="宠物管理")
    while t.step != "decide":
        t = advance(world.user("staff"), t)
    m = services.meeting_schedule(
        actor=world.user("staff"), council=council, kind="matter", title="会", scheduled_at=timezone.now(), topics=[t]
    )
    services.meeting_sign_in(actor=world.user("staff"), meeting=m, member=council.members.get(name="陈静"))
    v = services.vote_open(actor=world.user("staff"), topic=t, rule=Rule.MAJORITY, meeting=m)
    outsider = login(world.user("far_staff"))
    assert all(c["id"] != council.pk for c in outsider.get("/api/councils/").json())
    assert outsider.get(f"/api/councils/{council.pk}/topics/").status_code == 404
    assert post(outsider, f"/api/topics/{t.pk}/support/").status_code == 404
    assert outsider.get(f"/api/votes/{v.pk}/").status_code == 404
    assert post(outsider, f"/api/votes/{v.pk}/ballots/", {"choice": "for"}).status_code == 404
    assert post(outsider, f"/api/votes/{v.pk}/close/").status_code == 404
    worker = login(world.user("gridworker"))
    assert post(worker, f"/api/votes/{v.pk}/ballots/", {"choice": "for"}).status_code == 201
    again = post(worker, f"/api/votes/{v.pk}/ballots/", {"choice": "against"})
    assert again.status_code == 400  # one vote per voter
    staff = login(world.user("staff"))
    closed = post(staff, f"/api/votes/{v.pk}/close/").json()
    assert closed["status"] == "closed" and closed["result_lines"]


def test_propose_and_support_over_the_api(world, council, login):
    r = post(login(world.user("resident")), f"/api/councils/{council.pk}/topics/", {"title": "增设充电桩"})
    assert r.status_code == 201
    tid = r.json()["id"]
    assert post(login(world.user("gridworker")), f"/api/topics/{tid}/support/").json()["step"] == "collect"
    assert post(login(world.user("secretary")), f"/api/topics/{tid}/support/").json()["step"] == "accept"


def test_wishes_over_the_api(world, login):
    worker = login(world.user("gridworker"))
    r = post(worker, "/api/wishes/", {"resident_id": world.resident.pk, "kind": "goods", "title": "排气扇"})
    assert r.status_code == 201 and r.json()["public_name"].startswith("张") and "三" not in r.json()["public_name"]
    wid = r.json()["id"]
    assert post(worker, f"/api/wishes/{wid}/approve/").status_code == 404
    assert post(login(world.user("staff")), f"/api/wishes/{wid}/approve/").json()["status"] == "open"
    assert post(login(world.user("resident")), f"/api/wishes/{wid}/claim/").status_code == 404  # not a claimer
    assert post(login(world.user("property")), f"/api/wishes/{wid}/claim/").json()["status"] == "claimed"
    wall = login(world.user("far_staff")).get(f"/api/wishes/?community={world.community.pk}").json()
    assert [w["id"] for w in wall] == [wid] and "张三" not in str(wall)
    assert post(worker, "/api/wishes/", {"resident_id": world.other_resident.pk, "kind": "goods", "title": "x"}).status_code == 404
