"""The phone-first issue: tracking links, the inbox, dispatch routing, notices to dispatchers,
the place picker, the public suggestion endpoint — each rule with a test that fails if it breaks."""

from django.urls import reverse

from linli.appeals import access, selectors, services
from linli.appeals.models import Appeal, Category, Status
from linli.core.models import Notification
from linli.registry import services as registry_services
from linli.registry.models import ManagementStatus, Place, PlaceKind


def _track_url(a):
    return reverse("track", args=[a.number, access.tracking_signature(a)])


def test_the_tracking_link_follows_adds_information_and_rates(world, new_appeal, client, in_progress):
    a = in_progress
    url = _track_url(a)
    page = client.get(url)
    assert page.status_code == 200 and a.number in page.content.decode()
    assert client.get(reverse("track", args=[a.number, "x" * 32])).status_code == 404
    r = client.post(url, {"info-text": "灯在三楼楼梯口"})
    assert r.status_code == 302
    assert a.events.filter(action="add_info", public=True, note="灯在三楼楼梯口").exists()
    # The handler hears of it.
    assert Notification.objects.filter(recipient=world.user("gridworker"), body__contains="补充").exists()
    assert client.post(url, {"info-text": ""}).status_code == 400
    services.appeal_resolve(actor=world.user("gridworker"), appeal=a, result="已换灯")
    assert "确认并评价" in client.get(url).content.decode()
    assert client.post(url, {"rate-rating": 5, "rate-comment": "快"}).status_code == 302
    a.refresh_from_db()
    assert a.status == Status.CLOSED and a.rating == 5
    # Nothing more to add once closed.
    assert client.post(url, {"info-text": "再补充"}).status_code == 404


def test_a_new_salt_revokes_a_link(world, new_appeal, client):
    a = new_appeal()
    url = _track_url(a)
    Appeal.objects.filter(pk=a.pk).update(tracking_salt="another")
    assert client.get(url).status_code == 404


def test_the_inbox_counts_and_signs_in_one_tap(world, new_appeal, login):
    staff, worker = world.user("staff"), world.user("gridworker")
    a = services.appeal_dispatch(actor=staff, appeal=services.appeal_accept(actor=staff, appeal=new_appeal()), users=[worker])
    new_appeal(description="另一件")  # waits for the community to accept it
    from linli.accounts.scope import scope_for

    counts = selectors.inbox_counts(scope_for(worker))
    assert counts["pending"] == 1 and counts["in_hand"] == 0 and counts["to_accept"] == 0
    assert selectors.inbox_counts(scope_for(staff))["to_accept"] == 1
    client = login(worker)
    page = client.get(reverse("appeals:inbox")).content.decode()
    assert a.number in page and f"/appeals/{a.pk}/act/sign/" in page
    assert '<span class="badge">1</span>' in client.get(reverse("appeals:list")).content.decode()
    r = client.post(reverse("appeals:act", args=[a.pk, "sign"]), {"next": reverse("appeals:inbox")})
    assert r.status_code == 302 and r["Location"] == reverse("appeals:inbox")
    counts = selectors.inbox_counts(scope_for(worker))
    assert counts["pending"] == 0 and counts["in_hand"] == 1
    # Somebody else's page is not a destination.
    r = client.post(reverse("appeals:act", args=[a.pk, "escalate"]), {"reason": "x", "next": "https://evil.example/"})
    assert r["Location"] == reverse("appeals:status", args=[a.pk])


def test_dispatch_pre_selects_by_category_and_compound(world, new_appeal):
    compound = Place.objects.get(kind=PlaceKind.COMPOUND, name="阳光花园")
    facilities = Category.objects.get(community=None, code="facilities")
    assert facilities.routes_to_property
    a = new_appeal(category=facilities)
    eligible = access.eligible_handlers(a)
    # No property company recorded for the compound: the people of the level (grid workers).
    s = access.suggested_handlers(a, eligible)
    assert s["users"] == {world.user("gridworker").pk} and not s["organisations"] and s["lead_user"] == world.user("gridworker").pk
    from linli.registry.models import Organisation

    red = Organisation.objects.get(name="红枫物业")
    red.served_compounds.add(compound)
    s = access.suggested_handlers(a, access.eligible_handlers(a))
    assert s["organisations"] == {red.pk} and s["lead_organisation"] == red.pk
    # A 三无 compound has no property company: the community itself.
    red.served_compounds.remove(compound)
    Place.objects.filter(pk=compound.pk).update(management_status=ManagementStatus.THREE_WITHOUT)
    s = access.suggested_handlers(a, access.eligible_handlers(a))
    assert s["users"] == {world.user("staff").pk, world.user("secretary").pk} and not s["organisations"]


def test_micro_grid_workers_of_the_parent_grid_are_offered(world, new_appeal):
    micro = registry_services.grid_create(
        actor=world.admin, community=world.community, name="微网格", code="341103004001101", kind="micro", parent=world.grid
    )
    registry_services.grid_assign_buildings(actor=world.admin, grid=micro, buildings=[world.building])
    a = new_appeal()
    assert a.grid_id == micro.pk
    users = {u.pk for u, _label in access.eligible_handlers(a).users}
    assert {world.user("gridworker").pk, world.user("gridleader").pk} <= users


def test_dispatchers_are_told_of_every_return_and_escalation(world, new_appeal):
    staff, worker = world.user("staff"), world.user("gridworker")
    a = services.appeal_dispatch(actor=staff, appeal=services.appeal_accept(actor=staff, appeal=new_appeal()), users=[worker])
    services.appeal_return(actor=worker, appeal=a, reason="不在我的网格")
    for user in (staff, world.user("secretary"), world.user("gridleader")):
        assert Notification.objects.filter(recipient=user, body__contains="不在我的网格").exists(), user
    a = services.appeal_dispatch(actor=staff, appeal=a, users=[worker])
    services.appeal_escalate(actor=worker, appeal=a, reason="需要社区协调")
    assert Notification.objects.filter(recipient=staff, body__contains="需要社区协调").exists()


def test_the_place_picker_and_the_nearest_compound(world, client):
    r = client.get(reverse("appeals:places"), {"c": world.community.pk})
    assert r.status_code == 200 and "阳光花园" in r.content.decode() and "新桥一村" not in r.content.decode()
    compound = Place.objects.get(kind=PlaceKind.COMPOUND, name="阳光花园")
    r = client.get(reverse("appeals:places"), {"place": compound.pk})
    assert "1栋" in r.content.decode()
    assert client.get(reverse("appeals:places"), {"c": "abc"}).status_code == 200  # nothing, not an error
    Place.objects.filter(pk=compound.pk).update(latitude="32.300000", longitude="118.300000")
    near = client.get(reverse("appeals:near"), {"lat": "32.3010", "lng": "118.3010"}).content.decode()
    assert "阳光花园" in near and "约" in near
    assert client.get(reverse("appeals:near"), {"lat": "999", "lng": "0"}).status_code == 400
    # Without a place, the reporting page is the picker (for anyone, signed in or not).
    assert "使用我的位置" in client.get(reverse("appeals:report")).content.decode()


def test_the_suggestion_is_public_and_limited(world, client):
    url = reverse("appeals:suggest")
    ok = client.get(url, {"place": world.building.pk, "description": "路灯不亮"})
    assert ok.status_code == 200 and "设施维修" in ok.content.decode()
    codes = [client.get(url, {"place": world.building.pk, "description": "路灯"}).status_code for _ in range(70)]
    assert 429 in codes


def test_a_report_takes_photos(world, login):
    from tests.appeals.test_photos import jpeg_with_gps, upload

    client = login(world.user("resident"))
    url = f"{reverse('appeals:report')}?place={world.building.pk}"
    r = client.post(
        url,
        {
            "place": world.building.pk,
            "idempotency_key": "p1",
            "description": "井盖松了",
            "photos": [upload(jpeg_with_gps(), "a.jpg"), upload(jpeg_with_gps(), "b.jpg")],
        },
    )
    assert r.status_code == 302
    a = Appeal.objects.get()
    assert a.photos.count() == 2
    from io import BytesIO

    from PIL import Image

    for photo in a.photos.all():
        assert not Image.open(BytesIO(photo.image.read())).getexif()
