"""A file that belongs to a person is served with ``Cache-Control: private, no-store`` (issue 27):
appeal photos (by permission and by the tracking link), service-visit photos, a wish's proof, the
residents' export."""

from decimal import Decimal

from django.urls import reverse

from linli.appeals.access import tracking_signature
from linli.resident_services import services as orders
from linli.wishes import services as wishes
from tests.conftest import signed_in
from tests.matrix_world import jpeg


def _private(response):
    assert response.status_code == 200, response.status_code
    assert response["Cache-Control"] == "private, no-store"


def test_a_person_s_files_are_never_cached(client, world, new_appeal, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    staff = world.user("staff")
    appeal = new_appeal(photos=[jpeg()])
    photo = appeal.photos.get()
    signed_in(client, staff)
    _private(client.get(reverse("appeals:photo", args=[appeal.pk, photo.pk])))
    client.logout()
    track = reverse("track_photo", args=[appeal.number, tracking_signature(appeal), photo.pk])
    _private(client.get(track))

    service = orders.service_save(actor=staff, community=world.community, name="家电维修", category="repair")
    provider = orders.provider_save(actor=staff, community=world.community, kind="social_org", name="维修队", user=world.user("gridworker"))
    order, _ = orders.order_create(actor=world.user("resident"), service=service, resident=world.resident, description="修灯")
    order = orders.order_match(actor=staff, order=order, providers=[provider])
    order = orders.order_accept(actor=world.user("gridworker"), order=order, provider=provider)
    orders.order_deliver(actor=world.user("gridworker"), order=order, note="修好了", photos=[jpeg()], hours=Decimal("1"))
    signed_in(client, staff)
    _private(client.get(reverse("services:order_photo", args=[order.photos.get().pk])))

    wish = wishes.wish_post(actor=world.user("gridworker"), resident=world.resident, kind="goods", title="一台收音机")
    wish = wishes.wish_approve(actor=staff, wish=wish)
    wish = wishes.wish_claim(actor=staff, wish=wish)
    wishes.wish_fulfil(actor=staff, wish=wish, photo=jpeg())
    _private(client.get(reverse("wishes:proof", args=[wish.pk])))

    _private(client.get(reverse("registry:export")))
