"""A care household's visit need becomes a service order and comes back as hours on a
volunteer's ledger (issue 23, journey c): the need carried and linked both ways, providers who can
answer suggested first, an acceptance given by phone recorded with who and when, the volunteer's
hours credited once."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from linli.core.models import AuditEntry
from linli.gridwork import services as gridwork
from linli.resident_services import selectors, services
from linli.resident_services.models import Order
from linli.volunteers import services as volunteers
from linli.volunteers.models import LedgerEntry
from tests.conftest import signed_in


def register_only_account(username):
    """An account made for the register (no password, never signed in): nobody answers on it."""
    from linli.accounts.models import User

    return User.objects.create_user(username, password=None)


def test_the_visit_need_is_carried_into_the_order_and_linked_both_ways(client, world, sworld):
    worker = world.user("gridworker")
    visit = gridwork.visit_record(actor=worker, household=world.household, content="老人精神不错", needs="厨房油烟机坏了，想找人修")
    signed_in(client, worker)
    page = client.get(reverse("gridwork:visit", args=[visit.pk])).content.decode()
    assert "厨房油烟机坏了" in page and 'data-offer="visit_order"' in page
    form_url = reverse("gridwork:finding", args=["order"]) + f"?visit={visit.pk}"
    assert "厨房油烟机坏了，想找人修" in client.get(form_url).content.decode()  # the need is the order's description
    r = client.post(form_url, {"resident": world.resident.pk, "service": sworld.repair.pk, "description": visit.needs})
    assert r.status_code == 302
    order = Order.objects.get()
    assert order.description == visit.needs and order.channel == "visit"
    page = client.get(reverse("gridwork:visit", args=[visit.pk])).content.decode()
    assert order.number in page and reverse("services:order", args=[order.pk]) in page
    signed_in(client, world.user("staff"))
    order_page = client.get(reverse("services:order", args=[order.pk])).content.decode()
    assert 'data-offer="source_visit"' in order_page and reverse("gridwork:visit", args=[visit.pk]) in order_page
    signed_in(client, world.user("far_staff"))
    assert client.get(reverse("gridwork:visit", args=[visit.pk])).status_code == 404


def test_providers_who_can_answer_are_suggested_first(world, sworld):
    staff = world.user("staff")
    # A craftsman without an account, signed for the service, same building, no load: the best
    # score — but an order offered to him would wait at 待接单.
    phoneless = services.provider_save(
        actor=staff, community=world.community, kind="craftsman", name="老王师傅", skills=["repair"], availability=["weekend"],
        base=world.building, user=register_only_account("laowang"),
    )  # fmt: skip
    sworld.repair.providers.add(phoneless)
    order, _ = services.order_create(actor=sworld.resident, service=sworld.repair, resident=world.resident, description="灯坏了")
    ranked = selectors.suggestions(order)
    answerable = [s.answerable for s in ranked]
    assert answerable == sorted(answerable, reverse=True) and ranked[-1].provider == phoneless
    assert "无账号，须电话确认接单" in ranked[-1].reasons and "可在手机上接单" in ranked[0].reasons


def test_staff_record_an_acceptance_given_by_phone(client, world, sworld):
    staff = world.user("staff")
    phoneless = services.provider_save(
        actor=staff, community=world.community, kind="craftsman", name="老王师傅", skills=["repair"], user=register_only_account("laowang")
    )
    order, _ = services.order_create(actor=sworld.resident, service=sworld.repair, resident=world.resident, description="水管漏水")
    order = services.order_match(actor=staff, order=order, providers=[phoneless])
    url = reverse("services:order_act", args=[order.pk, "phone_accept"])
    signed_in(client, sworld.resident)
    assert client.post(url, {"provider": phoneless.pk}).status_code == 404  # only staff record it
    signed_in(client, staff)
    assert "记录电话接单" in client.get(reverse("services:order", args=[order.pk])).content.decode()
    assert client.post(url, {"provider": phoneless.pk, "note": "14:30电话确认，明早上门"}).status_code == 302
    order.refresh_from_db()
    assert order.status == "accepted" and order.provider == phoneless
    assert order.accepted_by_phone and order.acceptance_recorded_by == staff and order.accepted_at is not None
    assert AuditEntry.objects.filter(target_id=str(order.pk), changes__accepted_by_phone=[False, True]).exists()
    page = client.get(reverse("services:order", args=[order.pk])).content.decode()
    assert "data-phone-acceptance" in page and str(staff) in page
    assert client.post(url, {"provider": phoneless.pk}).status_code == 400  # accepted already: one acceptance
    # The craftsman has no app: staff record the visit as they hear it.
    order = services.order_deliver(actor=staff, order=order, note="换了水管接头", hours=Decimal("1.0"))
    assert order.status == "delivered"


def test_a_registered_volunteer_s_hours_are_credited_once(world, sworld):
    staff = world.user("staff")
    neighbour = sworld.neighbour
    volunteer = volunteers.volunteer_review(
        actor=staff, volunteer=volunteers.volunteer_register(actor=neighbour, skills=["repair"], availability=["weekend"]), action="approve"
    )
    provider = services.provider_save(
        actor=staff, community=world.community, kind="craftsman", name="邻居小李", user=neighbour, skills=["repair"]
    )
    order, _ = services.order_create(actor=sworld.resident, service=sworld.repair, resident=world.resident, description="修纱窗")
    order = services.order_match(actor=staff, order=order, providers=[provider])
    order = services.order_accept(actor=neighbour, order=order, provider=provider)
    with pytest.raises(ValidationError):
        services.order_deliver(actor=neighbour, order=order, note="修好了", hours=Decimal("30"))
    order = services.order_deliver(actor=neighbour, order=order, note="纱窗修好了", hours=Decimal("1.5"))
    services.order_confirm(actor=sworld.resident, order=order, rating=5)
    (entry,) = LedgerEntry.objects.filter(volunteer=volunteer)
    assert entry.hours == Decimal("1.5") and entry.source == f"services.order:{order.pk}" and order.number in entry.reason
    volunteer.refresh_from_db()
    assert volunteer.hours == Decimal("1.5")
    again = volunteers.hours_credit_for_service(actor=staff, volunteer=volunteer, source=entry.source, hours=Decimal("1.5"), reason="x")
    assert again is None and LedgerEntry.objects.filter(volunteer=volunteer).count() == 1
