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
    return re.search(r"\d{6}", n.text).group()


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


def test_the_code_is_never_stored_in_clear(db):
    """Regression (access issue #10): the SMS row keeps the code encrypted until it is sent and
    drops it afterwards; the readable columns say only what kind of message it was."""
    from django.db import connection

    from linli.core import outbox

    phone_code_send(phone="13911113333")
    code = last_code()
    with connection.cursor() as c:
        c.execute("SELECT subject, body, sealed_body, phone FROM core_notification")
        raw = " ".join(str(v) for row in c.fetchall() for v in row)
    assert code not in raw and "13911113333" not in raw
    outbox.deliver_due()
    n = Notification.objects.filter(channel="sms").latest("id")
    assert n.state == Notification.State.SENT and n.sealed_body == "" and code not in n.text


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
    """Write first, confirm the phone at submit: the code and the report go in one form; the
    answer is the receipt with the tracking link, which works in any other browser."""
    url = f"{reverse('appeals:report')}?place={world.building.pk}&qr=1"
    page = client.get(url)
    assert page.status_code == 200 and 'name="phone"' in page.content.decode()
    form = {"place": world.building.pk, "idempotency_key": "anon-1", "description": "门口的灯坏了", "qr": "1", "phone": "13922223333"}
    assert client.post(url, {**form, "code": "000000"}).status_code == 400  # no code was sent
    assert not Appeal.objects.exists()
    assert client.post(reverse("appeals:send_code"), {"phone": "13922223333"}).status_code == 200
    wrong = client.post(url, {**form, "code": "999999" if last_code() != "999999" else "888888"})
    assert wrong.status_code == 400 and "门口的灯坏了" in wrong.content.decode()  # nothing typed is lost
    response = client.post(url, {**form, "code": last_code()})
    a = Appeal.objects.get()
    assert a.reporter is None and a.contact_phone == "13922223333" and a.channel == "qr"
    assert response.status_code == 302 and response["Location"].startswith(f"/t/{a.number}/")
    receipt = client.get(response["Location"]).content.decode()
    assert a.number in receipt and "/t/" in receipt
    other = client.__class__()
    assert other.get(response["Location"].split("?")[0]).status_code == 200  # the link works anywhere
    assert other.get(f"/t/{a.number}/forged/").status_code == 404
    assert other.get(reverse("appeals:status", args=[a.pk])).status_code == 302  # the status page needs a login
    # A second report in the same browser needs no new code.
    second = client.post(url, {"place": world.building.pk, "idempotency_key": "anon-2", "description": "楼道有杂物"})
    assert second.status_code == 302 and Appeal.objects.count() == 2


def test_wrong_codes_in_the_report_form_are_counted(world, client):
    """The code's tries are counted even though the report is refused (the count is committed
    on its own): five wrong codes, and the right one no longer works."""
    url = f"{reverse('appeals:report')}?place={world.building.pk}"
    client.post(reverse("appeals:send_code"), {"phone": "13922224444"})
    code = last_code()
    wrong = "000000" if code != "000000" else "111111"
    form = {"place": world.building.pk, "idempotency_key": "k", "description": "灯坏了", "phone": "13922224444"}
    for _ in range(MAX_TRIES):
        assert client.post(url, {**form, "code": wrong}).status_code == 400
    assert client.post(url, {**form, "code": code}).status_code == 400
    assert not Appeal.objects.exists()
