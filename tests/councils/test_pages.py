"""Council and wish pages: outsiders get 404, participants get the page, public pages carry no personal data."""

from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from linli.councils import services
from linli.wishes import services as wish_services


def _names(namespace):
    for p in get_resolver().url_patterns:
        if isinstance(p, URLResolver) and p.namespace == namespace:
            return {f"{namespace}:{q.name}" for q in p.url_patterns if isinstance(q, URLPattern)}
    return set()


def test_council_pages_in_scope(world, council, client):
    t = services.topic_propose(actor=world.user("resident"), council=council, title="楼道堆物清理")
    m = services.meeting_schedule(
        actor=world.user("staff"), council=council, kind="monthly", title="十一月议事会", scheduled_at=timezone.now(), topics=[t]
    )
    urls = {
        "councils:detail": reverse("councils:detail", args=[council.pk]),
        "councils:topic": reverse("councils:topic", args=[t.pk]),
        "councils:meeting": reverse("councils:meeting", args=[m.pk]),
        "councils:sign_in": reverse("councils:sign_in", args=[m.pk]),
    }
    walked = set(urls) | {"councils:list", "councils:public", "councils:topic_act", "councils:vote_act", "councils:meeting_new"}
    assert _names("councils") == walked
    for name, url in urls.items():
        client.force_login(world.user("far_staff"))
        assert client.get(url).status_code == 404, name
        client.force_login(world.user("resident"))
        assert client.get(url).status_code == 200, name
    client.force_login(world.user("far_staff"))
    assert client.post(reverse("councils:topic_act", args=[t.pk, "advance"])).status_code == 404
    client.force_login(world.user("resident"))
    client.post(reverse("councils:topic_act", args=[t.pk, "advance"]))  # not a manager: refused, shown as 404
    t.refresh_from_db()
    assert t.step == "collect"


def test_public_council_page_has_no_personal_data(world, council, client):
    services.topic_propose(actor=world.user("resident"), council=council, title="健身器材更新")
    body = client.get(reverse("councils:public", args=[world.community.pk])).content.decode()
    assert "健身器材更新" in body and "张三" not in body and world.user("resident").username not in body


def test_wish_pages(world, client):
    w = wish_services.wish_post(actor=world.user("gridworker"), resident=world.resident, kind="goods", title="新的排气扇")
    walked = {"wishes:mine", "wishes:post", "wishes:detail", "wishes:act", "wishes:wall", "wishes:review"}
    assert _names("wishes") == walked
    detail = reverse("wishes:detail", args=[w.pk])
    client.force_login(world.user("far_staff"))
    assert client.get(detail).status_code == 404  # pending: not on the wall yet
    assert client.get(reverse("wishes:review", args=[world.community.pk])).status_code == 404
    client.force_login(world.user("staff"))
    assert "新的排气扇" in client.get(reverse("wishes:review", args=[world.community.pk])).content.decode()
    client.post(reverse("wishes:act", args=[w.pk, "approve"]))
    client.logout()
    wall = client.get(reverse("wishes:wall", args=[world.community.pk])).content.decode()
    assert "新的排气扇" in wall and "张三" not in wall and "101" not in wall
    client.force_login(world.user("gridworker"))
    assert client.get(f"{reverse('wishes:post')}?resident={world.other_resident.pk}").status_code == 404  # another grid
