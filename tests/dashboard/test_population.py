"""People counted without names: registration, age bands at their exact boundaries, care tags."""

from datetime import date

from django.urls import reverse

from linli.dashboard import selectors, services
from linli.dashboard.models import PopulationCount
from linli.registry.models import Resident


def test_age_bands_change_on_the_birthday(world):
    today = date(2026, 11, 23)
    r = Resident.objects.filter(household__dwelling__community=world.community, is_active=True).first()
    Resident.objects.filter(pk=r.pk).update(birth_date=date(2008, 11, 23))  # 18 today
    services.population_count(community_ids=[world.community.pk], today=today)
    adults = PopulationCount.objects.get(community=world.community).age_18_34
    Resident.objects.filter(pk=r.pk).update(birth_date=date(2008, 11, 24))  # 18 tomorrow
    services.population_count(community_ids=[world.community.pk], today=today)
    row = PopulationCount.objects.get(community=world.community)
    assert row.age_18_34 == adults - 1
    residents = Resident.objects.filter(household__dwelling__community=world.community, is_active=True)
    assert row.residents == residents.count()
    assert row.age_0_17 + row.age_18_34 + row.age_35_59 + row.age_60_79 + row.age_80_up + row.age_unknown == row.residents
    assert row.huji + row.changzhu + row.liudong == row.residents


def test_the_street_sees_counts_and_no_names(world, login):
    services.population_count()
    people = selectors.population([world.community.pk, world.other_community.pk])
    assert people["residents"] == Resident.objects.filter(is_active=True).count()
    page = login(world.user("street")).get(reverse("dashboard:area", args=[world.street.pk])).content.decode()
    assert f"<strong>{people['residents']}</strong>" in page
    assert world.resident.name not in page
