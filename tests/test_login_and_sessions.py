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
    assert settings.SESSION_SAVE_EVERY_REQUEST is True
    assert 0 < settings.SESSION_COOKIE_AGE <= 3600


def test_idle_session_is_expired(world, client, settings):
    from django.contrib.sessions.models import Session
    from django.utils import timezone

    _try(client, "staff", PASSWORD)
    Session.objects.update(expire_date=timezone.now() - timedelta(seconds=1))
    assert client.get(reverse("registry:residents")).status_code == 302
