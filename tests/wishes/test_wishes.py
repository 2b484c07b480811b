"""Micro-wishes: every step's permission, one claimer at a time, the wall shows no one."""

from datetime import timedelta
from io import BytesIO

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.utils import timezone
from PIL import Image

from linli.accounts.models import Role, User
from linli.registry.models import CareTag
from linli.registry.services import roles
from linli.wishes import selectors, services
from linli.wishes.models import Wish, WishStatus
from tests.conftest import race


def photo():
    out = BytesIO()
    Image.new("RGB", (40, 30), (10, 200, 10)).save(out, format="JPEG")
    return SimpleUploadedFile("p.jpg", out.getvalue(), content_type="image/jpeg")


@pytest.fixture
def party_member(world):
    """A volunteer/party member: a resident with a user account and the party_member tag."""
    r = world.other_resident
    r.care_tags.add(CareTag.objects.get(code="party_member"))
    user = User.objects.create_user("dangyuan", password="x-Strong-pass-1")
    user.resident = r
    user.save()
    roles.role_assign(actor=world.admin, user=user, role=Role.RESIDENT, household=r.household)
    return User.objects.get(pk=user.pk)


@pytest.fixture
def open_wish(world):
    w = services.wish_post(actor=world.user("gridworker"), resident=world.resident, kind="goods", title="想要一台新的厨房排气扇")
    return services.wish_approve(actor=world.user("staff"), wish=w)


def test_post_review_claim_fulfil_confirm(world, open_wish, party_member):
    assert open_wish.status == WishStatus.OPEN
    w = services.wish_claim(actor=party_member, wish=open_wish)
    assert w.status == WishStatus.CLAIMED and w.claimed_by == party_member
    with pytest.raises(PermissionDenied):
        services.wish_fulfil(actor=world.user("staff"), wish=w, photo=photo())  # only the claimer
    w = services.wish_fulfil(actor=party_member, wish=w, photo=photo())
    assert w.status == WishStatus.FULFILLED and w.proof
    with pytest.raises(PermissionDenied):
        services.wish_confirm(actor=party_member, wish=w)
    w = services.wish_confirm(actor=world.user("resident"), wish=w)
    assert w.status == WishStatus.CONFIRMED
    assert [e.action for e in w.events.all()] == ["post", "approve", "claim", "fulfil", "confirm"]


def test_who_may_post_and_review(world):
    with pytest.raises(PermissionDenied):
        services.wish_post(actor=world.user("other_gridworker"), resident=world.resident, kind="goods", title="x")
    own = services.wish_post(actor=world.user("resident"), resident=world.resident, kind="company", title="希望有人陪我聊天")
    with pytest.raises(PermissionDenied):
        services.wish_approve(actor=world.user("gridworker"), wish=own)
    with pytest.raises(PermissionDenied):
        services.wish_approve(actor=world.user("far_staff"), wish=own)
    with pytest.raises(ValidationError):
        services.wish_reject(actor=world.user("staff"), wish=own, reason="")
    assert services.wish_reject(actor=world.user("staff"), wish=own, reason="请联系社区直接办理").status == WishStatus.REJECTED


def test_only_claimers_may_claim_and_not_twice(world, open_wish, party_member):
    with pytest.raises(PermissionDenied):
        services.wish_claim(actor=world.user("resident"), wish=open_wish)  # no party/volunteer tag
    w = services.wish_claim(actor=party_member, wish=open_wish)
    with pytest.raises(ValidationError):
        services.wish_claim(actor=world.user("staff"), wish=w)


def test_an_expired_claim_returns_to_the_wall(world, open_wish, party_member):
    w = services.wish_claim(actor=party_member, wish=open_wish)
    assert services.wishes_release_expired() == 0
    Wish.objects.filter(pk=w.pk).update(claim_deadline=timezone.now() - timedelta(minutes=1))
    assert services.wishes_release_expired() == 1
    w.refresh_from_db()
    assert w.status == WishStatus.OPEN and w.claimed_by is None


def test_the_wall_shows_no_one(world, open_wish):
    world.resident.care_tags.add(CareTag.objects.get(code="elderly_alone"))
    w2 = services.wish_approve(
        actor=world.user("staff"),
        wish=services.wish_post(actor=world.user("gridworker"), resident=world.resident, kind="service", title="理发"),
    )
    items = list(selectors.wall(world.community))
    assert {i.pk for i in items} == {open_wish.pk, w2.pk}
    w2.refresh_from_db()
    assert w2.public_name.startswith("张") and "三" not in w2.public_name and w2.public_tag == "独居老人"
    assert all(i.compound.name == "阳光花园" for i in items)


def test_stats(world, open_wish, party_member):
    services.wish_claim(actor=party_member, wish=open_wish)
    s = selectors.stats(world.community)
    assert (s["posted"], s["claimed"], s["fulfilled"]) == (1, 1, 0)
    assert s["by_claimer"][0]["n"] == 1


@pytest.mark.django_db(transaction=True)
def test_twenty_concurrent_claims_one_winner(world, party_member):
    if connection.vendor != "postgresql":
        pytest.skip("concurrency is tested on PostgreSQL (make test runs the suite there too)")
    w = services.wish_approve(
        actor=world.user("staff"),
        wish=services.wish_post(actor=world.user("gridworker"), resident=world.resident, kind="goods", title="轮椅"),
    )
    claimers = []
    for i in range(20):
        u = User.objects.create_user(f"v{i}", password="x-Strong-pass-1")
        roles.role_assign(
            actor=world.admin, user=u, role=Role.PARTNER_STAFF, organisation=world.user("property").role_assignments.first().organisation
        )
        claimers.append(User.objects.get(pk=u.pk))
    results = race(20, lambda i: services.wish_claim(actor=claimers[i], wish=w))
    assert results.count("ok") == 1, results
    assert w.events.filter(action="claim").count() == 1


def test_withdraw_before_claim_only(world, open_wish, party_member):
    with pytest.raises(PermissionDenied):
        services.wish_withdraw(actor=world.user("other_gridworker"), wish=open_wish)
    w = services.wish_withdraw(actor=world.user("resident"), wish=open_wish)
    assert w.status == WishStatus.WITHDRAWN
    with pytest.raises(ValidationError):
        services.wish_claim(actor=party_member, wish=w)


def test_campaign_counts(world):
    from datetime import date

    from linli.wishes.models import WishCampaign

    c = WishCampaign.objects.create(
        community=world.community, name="2026圆梦微心愿", starts_on=date(2026, 1, 1), ends_on=date(2026, 12, 31)
    )
    services.wish_post(actor=world.user("gridworker"), resident=world.resident, kind="goods", title="收音机", campaign=c)
    services.wish_post(actor=world.user("gridworker"), resident=world.resident, kind="goods", title="拐杖")
    assert selectors.stats(world.community, campaign=c)["posted"] == 1
    assert selectors.stats(world.community)["posted"] == 2
