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
    walked = set(urls) | {
        "councils:list",
        "councils:public",
        "councils:topic_act",
        "councils:vote_act",
        "councils:meeting_new",
        "councils:raise",
    }
    assert _names("councils") >= walked
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
    walked = {"wishes:mine", "wishes:post", "wishes:detail", "wishes:act", "wishes:proof", "wishes:wall", "wishes:review"}
    assert _names("wishes") >= walked  # every URL has its row in the permission matrix
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


def test_post_a_wish_in_a_campaign_and_withdraw_it(world, client):
    from datetime import date

    from linli.wishes.models import Wish, WishCampaign

    c = WishCampaign.objects.create(
        community=world.community, name="2026圆梦微心愿", starts_on=date(2026, 1, 1), ends_on=date(2099, 12, 31)
    )
    client.force_login(world.user("resident"))
    assert "2026圆梦微心愿" in client.get(reverse("wishes:post")).content.decode()
    client.post(reverse("wishes:post"), {"title": "一副老花镜", "kind": "goods", "campaign": c.pk})
    w = Wish.objects.get()
    assert w.campaign == c
    client.post(reverse("wishes:act", args=[w.pk, "withdraw"]))
    w.refresh_from_db()
    assert w.status == "withdrawn"


def test_staff_see_recurring_appeals_and_raise_them_to_council(world, council, new_appeal, client):
    from linli.councils.models import Topic

    for text in ("电动车乱停", "电动车堵住楼道口", "电动车停在消防通道"):
        new_appeal(description=text)
    client.force_login(world.user("staff"))
    page = client.get(reverse("councils:detail", args=[council.pk])).content.decode()
    assert "建议议题" in page and "3 件诉求" in page
    client.force_login(world.user("resident"))
    assert "建议议题" not in client.get(reverse("councils:detail", args=[council.pk])).content.decode()
    from linli.councils.selectors import suggested_topics

    (s,) = suggested_topics(council)
    client.force_login(world.user("staff"))
    client.post(
        reverse("councils:raise", args=[council.pk]), {"building": s["building"], "category": s["category_id"], "title": "电动车停放"}
    )
    t = Topic.objects.get(source="appeal")
    assert t.appeals.count() == 3
    assert suggested_topics(council) == []  # raised once, not suggested again


def test_support_counts_show_on_the_council_and_the_public_page(world, council, client):
    """Regression (phone-first issue): support counts stayed at 0 on the pages."""
    from linli.councils import services as council_services
    from tests.councils.conftest import resident_user

    t = council_services.topic_propose(actor=world.user("resident"), council=council, title="增设快递柜")
    client.force_login(resident_user(world, "李梅"))
    client.post(reverse("councils:topic_act", args=[t.pk, "support"]))
    client.force_login(world.user("resident"))
    client.post(reverse("councils:topic_act", args=[t.pk, "support"]))
    detail = client.get(reverse("councils:detail", args=[council.pk])).content.decode()
    assert "2 人附议" in detail
    client.logout()
    public = client.get(reverse("councils:public", args=[world.community.pk])).content.decode()
    assert "2 人附议" in public
    topic_page = client.get(reverse("councils:public_topic", args=[t.pk])).content.decode()
    assert "2 人附议" in topic_page and "张三" not in topic_page


def test_a_compound_council_is_offered_only_open_appeals_of_its_own_compound(world, council, new_appeal):
    """Regression (issue 23): 阳光花园's council was offered recurring appeals of other compounds,
    and groups of closed or rejected appeals, so a resolution raised from them closed nothing."""
    import pytest
    from django.core.exceptions import ValidationError

    from linli.appeals import services as appeal_services
    from linli.councils import services as council_services
    from linli.councils.selectors import suggested_topics
    from linli.registry.services import places

    staff = world.user("staff")
    other = places.place_create(actor=world.admin, parent=world.community, kind="compound", name="南湖湾", management_status="property")
    building = places.place_create(actor=world.admin, parent=other, kind="building", name="1栋")
    elsewhere = [new_appeal(place=building, description=f"南湖湾电动车乱停{i}") for i in range(3)]
    closed = [new_appeal(description=f"电动车乱停{i}") for i in range(3)]
    closed = [appeal_services.appeal_reject(actor=staff, appeal=a, reason="重复反映") for a in closed]
    assert suggested_topics(council) == []
    for appeals in (elsewhere[:1], closed[:1]):
        with pytest.raises(ValidationError, match="尚未办结"):
            council_services.topic_from_appeals(actor=staff, council=council, appeals=appeals, title="电动车")
    own = [new_appeal(description=f"阳光花园电动车{i}") for i in range(3)]
    (s,) = suggested_topics(council)
    assert s["n"] == 3 and s["building"] == world.building.path
    community_wide = council_services.council_create(actor=staff, community=world.community, name="和美社区居民议事会")
    assert sorted(r["n"] for r in suggested_topics(community_wide)) == [3, 3]  # its places are the whole community
    assert council_services.topic_from_appeals(actor=staff, council=council, appeals=own, title="电动车").appeals.count() == 3


def test_a_community_council_opens_an_owners_vote_on_a_chosen_compound(world, council, client):
    """Regression (issue 23): an owners' vote (民法典第二百七十八条) on a community council's topic
    was refused with "业主表决须指定本社区的小区" and the form had no field to choose it."""
    from linli.councils import services as council_services
    from linli.councils.voting import Rule
    from linli.registry.models import Place, PlaceKind
    from tests.councils.builders import to_decide

    staff = world.user("staff")
    community_wide = council_services.council_create(actor=staff, community=world.community, name="和美社区居民议事会")
    topic = to_decide(world, council_services.topic_propose(actor=staff, council=community_wide, title="维修资金更换电梯", source="staff"))
    compound = Place.objects.get(kind=PlaceKind.COMPOUND, name="阳光花园")
    far = Place.objects.get(kind=PlaceKind.COMPOUND, name="新桥一村")
    client.force_login(staff)
    page = client.get(reverse("councils:topic", args=[topic.pk])).content.decode()
    assert 'name="compound"' in page and f'value="{compound.pk}"' in page and f'value="{far.pk}"' not in page
    url = reverse("councils:topic_act", args=[topic.pk, "vote_open"])
    refused = client.post(url, {"rule": Rule.OWNERS_SPECIAL})
    assert refused.status_code == 400 and "业主表决须指定本社区的小区" in refused.content.decode()
    assert client.post(url, {"rule": Rule.OWNERS_SPECIAL, "compound": far.pk}).status_code == 400  # another community's
    assert topic.votes.count() == 0
    assert client.post(url, {"rule": Rule.OWNERS_SPECIAL, "compound": compound.pk}).status_code == 302
    assert topic.votes.get().compound == compound
