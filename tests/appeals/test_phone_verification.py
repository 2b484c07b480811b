"""Reporting without an account: the phone is confirmed with a code first."""

import re

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from linli.appeals.models import Appeal
from linli.core.models import Notification, PhoneVerification
from linli.core.verification import MAX_TRIES, phone_code_send, phone_code_verify


def last_code() -> str:
    n = Notification.objects.filter(channel="sms").latest("id")
    return re.search(r"\d{6}", n.body).group()


def test_code_round_trip_and_rules(db):
    phone_code_send(phone="13911112222")
    code = last_code()
    with pytest.raises(ValidationError):
        phone_code_send(phone="13911112222")  # one a minute
    with pytest.raises(ValidationError):
        phone_code_verify(phone="13911112222", code="000000" if code != "000000" else "111111")
    assert phone_code_verify(phone="13911112222", code=code) == "13911112222"
    with pytest.raises(ValidationError):
        phone_code_verify(phone="13911112222", code=code)  # used once
    assert code not in str(list(PhoneVerification.objects.values()))  # only digests stored


def test_too_many_tries(db):
    phone_code_send(phone="13911113333")
    code = last_code()
    wrong = "000000" if code != "000000" else "111111"
    for _ in range(MAX_TRIES):
        with pytest.raises(ValidationError):
            phone_code_verify(phone="13911113333", code=wrong)
    with pytest.raises(ValidationError):
        phone_code_verify(phone="13911113333", code=code)


def test_anonymous_report_flow(world, client):
    url = f"{reverse('appeals:report')}?place={world.building.pk}&qr=1"
    first = client.get(url)
    assert first.status_code == 302 and reverse("appeals:verify") in first["Location"]
    client.post(reverse("appeals:verify"), {"phone": "13922223333", "next": url})
    done = client.post(reverse("appeals:verify"), {"phone": "13922223333", "code": last_code(), "next": url})
    assert done.status_code == 302 and done["Location"] == url
    response = client.post(url, {"place": world.building.pk, "idempotency_key": "anon-1", "description": "门口的灯坏了"})
    a = Appeal.objects.get()
    assert a.reporter is None and a.contact_phone == "13922223333" and a.channel == "qr"
    assert client.get(response["Location"]).status_code == 200  # this browser follows its report
    other = client.__class__()
    assert other.get(response["Location"]).status_code == 302  # nobody else does
