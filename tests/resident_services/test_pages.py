"""The service pages: each main page renders for its people, query counts do not grow with rows,
bad input is a 400 with nothing written, and whoever may not see an order gets a 404."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from linli.registry import services as registry
from linli.resident_services import services
from linli.resident_services.models import Booking, Order
from tests.conftest import signed_in, user_for_resident
from tests.resident_services.test_services import menu, offered, order, slot


def get(client, user, url, **params):
    signed_in(client, user)
    return client.get(url, params)


def test_main_pages_render(client, world, sworld):
    s = sworld
    o = offered(s, world)
    menu(s)
    pages = [
        (s.resident, reverse("services:home")),
        (s.resident, reverse("services:order_new") + f"?service={s.repair.pk}"),
        (s.resident, reverse("services:order", args=[o.pk])),
        (s.fixer_user, reverse("services:home")),
        (s.fixer_user, reverse("services:order", args=[o.pk])),
        (s.staff, reverse("services:desk", args=[world.community.pk])),
        (s.staff, reverse("services:order", args=[o.pk])),
        (s.resident, reverse("services:canteen")),
        (s.staff, reverse("services:kitchen", args=[world.community.pk])),
        (s.resident, reverse("services:rooms")),
        (s.resident, reverse("services:room", args=[s.room.pk])),
        (s.staff, reverse("services:figures", args=[world.community.pk])),
        (world.user("street"), reverse("services:figures", args=[world.community.pk])),
        (world.user("gridworker"), reverse("services:case_new") + f"?resident={world.resident.pk}"),
    ]
    for user, url in pages:
        r = get(client, user, url)
        assert r.status_code == 200, (user, url, r.status_code)


def test_strangers_get_404(client, world, sworld):
    s = sworld
    o = offered(s, world, [s.fixer])
    for user in (s.neighbour, s.other_user, world.user("far_staff"), world.user("street")):
        assert get(client, user, reverse("services:order", args=[o.pk])).status_code == 404
    for user in (s.resident, world.user("gridworker"), world.user("far_staff")):
        assert get(client, user, reverse("services:desk", args=[world.community.pk])).status_code == 404
    assert get(client, s.neighbour, reverse("services:case_new") + f"?resident={world.resident.pk}").status_code == 404


def test_order_through_the_page_once(client, world, sworld):
    s = sworld
    signed_in(client, s.resident)
    data = {
        "resident": world.resident.pk,
        "service": s.repair.pk,
        "description": "油烟机不转",
        "wanted_slot": "any",
        "idempotency_key": "abc",
    }
    r = client.post(reverse("services:order_new"), data)
    assert r.status_code == 302
    client.post(reverse("services:order_new"), data)
    assert Order.objects.count() == 1


@pytest.mark.parametrize(
    "data",
    [
        {"description": "a\x00b"},
        {"wanted_on": "not-a-date"},
        {"service": "abc"},
        {"resident": "99999999999999999999"},
        {"description": "x" * 1001},
    ],
)
def test_bad_order_input_is_400(client, world, sworld, data):
    s = sworld
    signed_in(client, s.resident)
    base = {"resident": world.resident.pk, "service": s.repair.pk, "description": "修", "wanted_slot": "any", "idempotency_key": "k"}
    r = client.post(reverse("services:order_new"), {**base, **data})
    assert r.status_code == 400 and Order.objects.count() == 0


@pytest.mark.parametrize("url,params", [("services:desk", {"status": "nope"}), ("services:desk", {"page": "x"}), ("services:figures", {"start": "2026-13-01"}),
                                        ("services:figures", {"start": "2026-05-01", "end": "2026-04-01"})])  # fmt: skip
def test_bad_query_parameters_are_400(client, world, sworld, url, params):
    assert get(client, sworld.staff, reverse(url, args=[world.community.pk]), **params).status_code == 400


def test_bad_booking_is_400_and_nothing_written(client, world, sworld):
    s = sworld
    signed_in(client, s.resident)
    day = (slot()[0]).date().isoformat()
    r = client.post(
        reverse("services:room", args=[s.room.pk]), {"date": day, "starts": "22:00", "ends": "23:00", "purpose": "夜谈", "attendees": 3}
    )
    assert r.status_code == 400 and not Booking.objects.exists()
    r = client.post(
        reverse("services:room", args=[s.room.pk]), {"date": day, "starts": "09:00", "ends": "10:00", "purpose": "读书会", "attendees": 3}
    )
    assert r.status_code == 302 and Booking.objects.count() == 1


def _more_rows(world, s, n):
    for i in range(n):
        hh = registry.household_create(actor=world.admin, dwelling=world.household.dwelling, number=f"Q{len(str(i))}{i}{n}")
        r = registry.resident_create(actor=world.admin, household=hh, name=f"居民{i}", gender="F")
        u = user_for_resident(world, r, f"q{n}_{i}")
        o, _ = services.order_create(actor=u, service=s.repair, resident=r, description="修理")
        o = services.order_match(actor=s.staff, order=o, providers=[s.fixer, s.other])
        if i % 2:
            services.order_accept(actor=s.fixer_user, order=o, provider=s.fixer)
        a, b = slot(days=1 + i, start=8 + n, end=9 + n)
        services.room_book(actor=u, room=s.room, starts_at=a, ends_at=b, purpose="活动")
        services.case_open(actor=s.staff, resident=r, matter="医保报销", agent=world.user("gridworker"))


def test_query_counts_do_not_grow_with_rows(client, world, sworld):
    s = sworld
    menu(s)
    pages = [
        (s.staff, reverse("services:desk", args=[world.community.pk])),
        (s.fixer_user, reverse("services:home")),
        (world.user("gridworker"), reverse("services:home")),
        (s.staff, reverse("services:room", args=[s.room.pk])),
        (s.staff, reverse("services:kitchen", args=[world.community.pk])),
        (s.staff, reverse("services:figures", args=[world.community.pk])),
    ]

    def counts():
        out = []
        for user, url in pages:
            signed_in(client, user)
            with CaptureQueriesContext(connection) as q:
                assert client.get(url).status_code == 200
            out.append(len(q))
        return out

    _more_rows(world, s, 2)
    first = counts()
    _more_rows(world, s, 6)
    assert counts() == first


def test_meal_order_page(client, world, sworld):
    s = sworld
    meal = menu(s, price="20")
    signed_in(client, s.resident)
    r = client.post(reverse("services:meal_order", args=[meal.pk]), {"resident": world.resident.pk, "quantity": 1})
    assert r.status_code == 302
    meal.refresh_from_db()
    assert meal.taken == 1 and meal.orders.get().unit_price == Decimal("10.00")
    r = client.post(reverse("services:meal_order", args=[meal.pk]), {"resident": world.resident.pk, "quantity": "many"})
    assert r.status_code == 400


def test_order_flow_through_pages(client, world, sworld, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    from tests.resident_services.test_services import photo

    s = sworld
    o = order(s, world)
    signed_in(client, s.staff)
    assert client.post(reverse("services:order_act", args=[o.pk, "match"]), {"providers": [s.fixer.pk]}).status_code == 302
    signed_in(client, s.fixer_user)
    assert client.post(reverse("services:order_act", args=[o.pk, "accept"]), {"provider": s.fixer.pk}).status_code == 302
    r = client.post(reverse("services:order_act", args=[o.pk, "deliver"]), {"note": "修好", "photos": [photo()]})
    assert r.status_code == 302
    o.refresh_from_db()
    p = o.photos.get()
    assert client.get(reverse("services:order_photo", args=[p.pk])).status_code == 200
    assert get(client, s.other_user, reverse("services:order_photo", args=[p.pk])).status_code == 404
    signed_in(client, s.resident)
    assert client.post(reverse("services:order_act", args=[o.pk, "confirm"]), {"rating": "9"}).status_code == 400
    assert client.post(reverse("services:order_act", args=[o.pk, "confirm"]), {"rating": "5"}).status_code == 302
    o.refresh_from_db()
    assert o.status == "done" and o.rating == 5
    _ = timedelta


def test_dashboard_shows_service_figures_to_who_may_see_them(client, world, sworld):
    s = sworld
    o = services.order_accept(actor=s.fixer_user, order=offered(s, world), provider=s.fixer)
    services.order_confirm(actor=s.resident, order=services.order_deliver(actor=s.fixer_user, order=o, note="好了"), rating=4)
    url = reverse("dashboard:area", args=[world.community.pk])
    for user in (s.staff, world.user("street")):
        body = get(client, user, url).content.decode()
        assert reverse("services:figures", args=[world.community.pk]) in body and "在岗工匠" in body
    grid_page = get(client, world.user("gridleader"), reverse("dashboard:grid", args=[world.grid.pk]))
    assert "在岗工匠" not in grid_page.content.decode()
