"""Lockout after 5 failures in a row for 15 minutes (django-axes), password rules, sessions."""

from datetime import timedelta

import pytest
from axes.models import AccessAttempt
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.urls import reverse

from tests.conftest import PASSWORD


def _try(client, username, password):
    return client.post(reverse("login"), {"username": username, "password": password})


def test_five_failures_lock_the_login_for_15_minutes(world, client):
    for _ in range(4):
        assert _try(client, "staff", "wrong").status_code == 200
    assert _try(client, "staff", "wrong").status_code == 429
    locked = _try(client, "staff", PASSWORD)
    assert locked.status_code == 429 and "锁定" in locked.content.decode()
    # 15 minutes later the lock is over.
    AccessAttempt.objects.update(attempt_time=AccessAttempt.objects.first().attempt_time - timedelta(minutes=15, seconds=1))
    assert _try(client, "staff", PASSWORD).status_code == 302


def test_success_resets_the_count(world, client):
    for _ in range(4):
        _try(client, "staff", "wrong")
    assert _try(client, "staff", PASSWORD).status_code == 302
    client.logout()
    for _ in range(4):
        _try(client, "staff", "wrong")
    assert _try(client, "staff", PASSWORD).status_code == 302


def test_lock_is_per_account(world, client):
    for _ in range(5):
        _try(client, "staff", "wrong")
    assert _try(client, "gridworker", PASSWORD).status_code == 302


def test_nobody_elsewhere_can_lock_a_worker_out(world, client):
    """Regression (access issue #12): five bad passwords sent from another address for a known
    username do not lock its owner out; the sender's own address stays locked."""
    for _ in range(5):
        client.post(reverse("login"), {"username": "staff", "password": "wrong"}, REMOTE_ADDR="10.9.9.9")
    assert client.post(reverse("login"), {"username": "staff", "password": PASSWORD}, REMOTE_ADDR="10.9.9.9").status_code == 429
    assert _try(client, "staff", PASSWORD).status_code == 302


def test_the_api_takes_no_basic_authentication(world, client):
    """Regression (access issue #12): Basic credentials never expire with idleness; the API
    answers them as unauthenticated."""
    import base64

    token = base64.b64encode(f"staff:{PASSWORD}".encode()).decode()
    assert client.get("/api/appeals/", HTTP_AUTHORIZATION=f"Basic {token}").status_code == 403


@pytest.mark.parametrize("weak", ["12345678", "password", "short"])
def test_password_validators(weak):
    with pytest.raises(ValidationError):
        validate_password(weak)


def test_logout_ends_the_session(world, client):
    assert _try(client, "staff", PASSWORD).status_code == 302
    assert client.get(reverse("registry:residents")).status_code == 200
    client.post(reverse("logout"))
    assert client.get(reverse("registry:residents")).status_code == 302


def test_sessions_end_after_idle_time(settings):
    assert 0 < settings.SESSION_COOKIE_AGE <= 3600
    assert 0 < settings.LINLI_SESSION_REFRESH_SECONDS * 2 <= settings.SESSION_COOKIE_AGE


def test_activity_pushes_the_idle_expiry_forward_at_most_once_a_refresh(world, client, settings, monkeypatch):
    """Each request does not write the session row; a request after the refresh interval pushes
    the expiry to idle seconds from then, so an active user stays signed in."""
    from django.contrib.sessions.models import Session

    from linli.core import middleware

    clock = [1_900_000_000.0]
    monkeypatch.setattr(middleware.time, "time", lambda: clock[0])
    _try(client, "staff", PASSWORD)
    client.get(reverse("registry:residents"))
    first = Session.objects.get().expire_date
    clock[0] += settings.LINLI_SESSION_REFRESH_SECONDS - 5
    client.get(reverse("registry:residents"))
    assert Session.objects.get().expire_date == first  # no write within the interval
    clock[0] += 10
    client.get(reverse("registry:residents"))
    assert Session.objects.get().expire_date > first  # pushed forward


def test_idle_session_is_expired(world, client, settings):
    from django.contrib.sessions.models import Session
    from django.utils import timezone

    _try(client, "staff", PASSWORD)
    Session.objects.update(expire_date=timezone.now() - timedelta(seconds=1))
    assert client.get(reverse("registry:residents")).status_code == 302
