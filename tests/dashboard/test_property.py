"""双评: residents' ratings of the appeals a property company led, its on-time share and
returns, beside the community's own monthly score."""

from datetime import date

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from linli.appeals import services as appeal_services
from linli.core.models import AuditEntry
from linli.dashboard import selectors, services
from linli.dashboard.models import PropertyScore
from linli.registry.models import Organisation


@pytest.fixture
def company(world):
    return Organisation.objects.get(name="红枫物业")


def test_residents_ratings_and_the_staff_score_side_by_side(world, new_appeal, company):
    staff, resident = world.user("staff"), world.user("resident")
    for rating in (5, 3):
        a = new_appeal()
        appeal_services.appeal_accept(actor=staff, appeal=a)
        a = appeal_services.appeal_dispatch(actor=staff, appeal=a, organisations=[company])
        property_user = world.user("property")
        a = appeal_services.appeal_sign(actor=property_user, appeal=a)
        a = appeal_services.appeal_resolve(actor=property_user, appeal=a, result="已修")
        appeal_services.appeal_rate(actor=resident, appeal=a, rating=rating)
    today = date.today()
    services.property_score_save(actor=staff, community=world.community, organisation=company, month=today, score=86, note="保洁到位")
    period = selectors.month_period(today)
    (row,) = [r for r in selectors.property_evaluation(community=world.community, period=period) if r["company"] == company]
    assert row["total"] == 2 and row["satisfied"] == selectors.Rate(1, 2) and row["score"].score == 86
    assert AuditEntry.objects.filter(target_type="dashboard.propertyscore", action="create").count() == 1
    # A second save the same month changes the score, audited with old and new values.
    services.property_score_save(actor=staff, community=world.community, organisation=company, month=today, score=90)
    assert PropertyScore.objects.get().score == 90
    assert AuditEntry.objects.filter(target_type="dashboard.propertyscore", action="update").get().changes["score"] == [86, 90]


@pytest.mark.parametrize("score", [-1, 101, "x", None])
def test_a_score_outside_0_to_100_is_refused(world, company, score):
    with pytest.raises(ValidationError):
        services.property_score_save(
            actor=world.user("staff"), community=world.community, organisation=company, month=date.today(), score=score
        )


def test_only_the_communitys_staff_score_its_companies(world, company):
    with pytest.raises(PermissionDenied):
        services.property_score_save(
            actor=world.user("street"), community=world.community, organisation=company, month=date.today(), score=80
        )
    with pytest.raises(PermissionDenied):
        services.property_score_save(
            actor=world.user("far_staff"), community=world.community, organisation=company, month=date.today(), score=80
        )


def test_a_bad_score_on_the_page_is_a_400_and_saves_nothing(world, company, login):
    client = login(world.user("staff"))
    url = reverse("dashboard:property", args=[world.community.pk])
    response = client.post(url, {"organisation": company.pk, "month": "2026-01", "score": "abc"})
    assert response.status_code == 400 and not PropertyScore.objects.exists()
    response = client.post(url, {"organisation": company.pk, "month": "2026-01", "score": "77", "note": "不错"})
    assert response.status_code == 302 and PropertyScore.objects.get().score == 77
