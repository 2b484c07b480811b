"""Appeal pages: the scope rule on every URL, the public board without personal data,
intake from a QR link, double submit, rating from the status page."""

from django.urls import URLPattern, URLResolver, get_resolver, reverse

from linli.appeals import services
from linli.appeals.models import Appeal, Status


def _appeal_url_names():
    names = set()
    for p in get_resolver().url_patterns:
        if isinstance(p, URLResolver) and p.namespace == "appeals":
            names |= {f"appeals:{q.name}" for q in p.url_patterns if isinstance(q, URLPattern)}
    return names


def test_every_appeal_url_is_walked(world, new_appeal, client):
    a = new_appeal()
    cases = {
        "appeals:status": ("get", {"pk": a.pk}),
        "appeals:act": ("post", {"pk": a.pk, "action": "accept"}),
    }
    # appeals:photo is walked in test_photos.py.
    public_or_self = {
        "appeals:photo",
        "appeals:quick",
        "appeals:verify",
        "appeals:categories",
        "appeals:category_edit",
        "appeals:qr",
        "appeals:list",
        "appeals:mine",
        "appeals:report",
        "appeals:suggest",
        "appeals:support",
        "appeals:board",
    }
    # Every URL has its row in the permission matrix (tests/permission_matrix.py); this walk
    # only repeats the two that matter most.
    assert _appeal_url_names() >= set(cases) | public_or_self
    for name, (method, kwargs) in cases.items():
        url = reverse(name, kwargs=kwargs)
        for outsider in ("other_gridworker", "far_staff", "far_gridworker", "property", "street" if method == "post" else "far_staff"):
            client.force_login(world.user(outsider))
            response = getattr(client, method)(url)
            assert response.status_code == 404, (name, outsider, response.status_code)
        client.force_login(world.user("staff"))
        assert getattr(client, method)(url).status_code in (200, 302)
    a.refresh_from_db()
    assert a.status == Status.ACCEPTED  # only staff's POST went through


def test_lists_are_scoped(world, new_appeal, login):
    a = new_appeal(description="只有本网格能看到的诉求")
    assert a.title in login(world.user("gridworker")).get(reverse("appeals:list")).content.decode()
    for outsider in ("other_gridworker", "far_staff"):
        assert a.title not in login(world.user(outsider)).get(reverse("appeals:list")).content.decode()
    assert a.number in login(world.user("resident")).get(reverse("appeals:mine")).content.decode()
    assert a.number not in login(world.user("gridworker")).get(reverse("appeals:mine")).content.decode()


def test_property_staff_see_what_is_dispatched_to_them(world, new_appeal, login):
    from linli.registry.models import Organisation

    a = new_appeal()
    client = login(world.user("property"))
    assert client.get(reverse("appeals:status", args=[a.pk])).status_code == 404
    services.appeal_accept(actor=world.user("staff"), appeal=a)
    services.appeal_dispatch(actor=world.user("staff"), appeal=a, organisations=[Organisation.objects.get(name="红枫物业")])
    assert client.get(reverse("appeals:status", args=[a.pk])).status_code == 200
    client.post(reverse("appeals:act", args=[a.pk, "sign"]))
    a.refresh_from_db()
    assert a.status == Status.IN_PROGRESS


def test_public_board_has_no_personal_data(world, in_progress, client):
    a = services.appeal_resolve(actor=world.user("gridworker"), appeal=in_progress, result="已更换灯泡")
    Appeal.objects.filter(pk=a.pk).update(reporter_name="王奶奶", contact_phone_masked="139****5678")
    body = client.get(reverse("appeals:board", args=[world.community.pk])).content.decode()
    assert "已更换灯泡" in body and a.category.name in body
    assert a.title not in body  # the resident's own words stay off the public board
    assert "阳光花园 1栋" in body and "101" not in body  # building, not the dwelling
    for private in ("王奶奶", "139****5678", "张三", world.user("resident").username):
        assert private not in body
    other = client.get(reverse("appeals:board", args=[world.other_community.pk])).content.decode()
    assert "已更换灯泡" not in other


def test_qr_intake_and_double_submit_make_one_appeal(world, login):
    client = login(world.user("resident"))
    url = f"{reverse('appeals:report')}?place={world.building.pk}&qr=1"
    page = client.get(url).content.decode()
    assert "阳光花园 1栋" in page
    data = {"place": world.building.pk, "idempotency_key": "tap-1", "description": "楼下路灯坏了", "category": "", "contact_phone": ""}
    first = client.post(url, data)
    second = client.post(url, data)
    assert first.status_code == second.status_code == 302 and first["Location"] == second["Location"]
    a = Appeal.objects.get()
    assert a.channel == "qr" and a.suggested_category.code == "facilities"


def test_intake_errors_are_shown_and_nothing_saved(world, login):
    client = login(world.user("resident"))
    url = f"{reverse('appeals:report')}?place={world.building.pk}"
    response = client.post(url, {"place": world.building.pk, "idempotency_key": "k", "description": "灯坏了", "contact_phone": "12"})
    assert response.status_code == 400 and "手机号码" in response.content.decode()
    assert "灯坏了" in response.content.decode()  # nothing typed is lost
    assert not Appeal.objects.exists()


def test_reporter_rates_on_the_status_page(world, in_progress, login):
    services.appeal_resolve(actor=world.user("gridworker"), appeal=in_progress, result="好了")
    client = login(world.user("resident"))
    url = reverse("appeals:status", args=[in_progress.pk])
    assert "确认并评价" in client.get(url).content.decode()
    client.post(url, {"rating": 5, "comment": "满意"})
    in_progress.refresh_from_db()
    assert in_progress.status == Status.CLOSED and in_progress.rating == 5


def test_status_page_hides_internal_notes_from_the_reporter(world, in_progress, login):
    services.appeal_supervise(actor=world.user("street"), appeal=in_progress, note="内部督办意见")
    assert "内部督办意见" not in login(world.user("resident")).get(reverse("appeals:status", args=[in_progress.pk])).content.decode()
    assert "内部督办意见" in login(world.user("staff")).get(reverse("appeals:status", args=[in_progress.pk])).content.decode()


def test_staff_list_query_count_does_not_grow(world, new_appeal, login, django_assert_max_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = login(world.user("staff"))
    for _ in range(3):
        new_appeal()
    with CaptureQueriesContext(connection) as small:
        client.get(reverse("appeals:list"))
    for _ in range(30):
        new_appeal()
    with CaptureQueriesContext(connection) as large:
        client.get(reverse("appeals:list"))
    assert len(small.captured_queries) == len(large.captured_queries)


def test_grid_worker_quick_report_on_behalf(world, login):
    client = login(world.user("gridworker"))
    page = client.get(reverse("appeals:quick")).content.decode()
    assert "阳光花园 1栋" in page and "阳光花园 2栋" not in page  # her grid only
    url = f"{reverse('appeals:report')}?place={world.building.pk}"
    client.post(
        url,
        {
            "place": world.building.pk,
            "idempotency_key": "q1",
            "description": "王奶奶说楼道灯坏了",
            "reporter_name": "王奶奶",
            "channel": "grid_worker",
        },
    )
    a = Appeal.objects.get()
    assert a.channel == "grid_worker" and a.recorded_by == world.user("gridworker") and a.reporter is None


def test_staff_record_a_phone_call(world, login):
    client = login(world.user("staff"))
    url = f"{reverse('appeals:report')}?place={world.building.pk}"
    assert "电话" in client.get(url).content.decode()
    client.post(
        url,
        {
            "place": world.building.pk,
            "idempotency_key": "p1",
            "description": "来电反映",
            "reporter_name": "李先生",
            "channel": "phone",
            "contact_phone": "13900000001",
        },
    )
    a = Appeal.objects.get()
    assert a.channel == "phone" and a.reporter_name == "李先生"


def test_a_resident_cannot_pick_a_recording_channel(world, login):
    client = login(world.user("resident"))
    url = f"{reverse('appeals:report')}?place={world.building.pk}"
    client.post(url, {"place": world.building.pk, "idempotency_key": "r1", "description": "灯坏了", "channel": "phone"})
    assert Appeal.objects.get().channel == "resident"


def test_qr_poster_for_staff_only(world, login):
    staff = login(world.user("staff")).get(reverse("appeals:qr", args=[world.building.pk]))
    assert staff.status_code == 200 and "<svg" in staff.content.decode() and "qr=1" in staff.content.decode()
    assert login(world.user("far_staff")).get(reverse("appeals:qr", args=[world.building.pk])).status_code == 404
    assert login(world.user("resident")).get(reverse("appeals:qr", args=[world.building.pk])).status_code == 404


def test_community_staff_edit_their_categories(world, login):
    from linli.appeals.models import Category

    url = reverse("appeals:categories", args=[world.community.pk])
    client = login(world.user("staff"))
    parent = Category.objects.get(code="parking", community=None)
    response = client.post(
        url,
        {
            "name": "电动车充电",
            "code": "ev_charging",
            "parent": parent.pk,
            "default_level": "community",
            "sign_days": 1,
            "complete_days": 7,
            "keywords": "充电,飞线",
            "is_active": "on",
        },
    )
    assert response.status_code == 302
    c = Category.objects.get(code="ev_charging")
    assert c.community == world.community and c.parent == parent
    bad = client.post(url, {"name": "x", "code": "pets", "default_level": "grid", "sign_days": 1, "complete_days": 5})
    assert bad.status_code == 200 and not Category.objects.filter(community=world.community, code="pets").exists()
    for outsider in ("far_staff", "gridworker", "gridleader", "resident"):
        assert login(world.user(outsider)).get(url).status_code == 404
    from linli.appeals.classifier import suggest_category

    assert suggest_category("楼道里有人飞线充电", community_id=world.community.pk) == c
    assert suggest_category("楼道里有人飞线充电", community_id=world.other_community.pk).code != "ev_charging"
