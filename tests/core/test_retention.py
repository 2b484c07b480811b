"""Retention: the audit log is kept at least six months; delivered notifications and old
one-time codes go; what still matters stays."""

from datetime import timedelta

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.utils import timezone

from linli.core.conf import env_int
from linli.core.models import AuditEntry, Notification, PhoneVerification
from linli.core.retention import purge_expired


def _aged(model, days, **fields):
    row = model.objects.create(**fields)
    model.objects.filter(pk=row.pk).update(created_at=timezone.now() - timedelta(days=days))
    return row


def test_the_audit_log_keeps_its_retention_and_no_more(db, settings):
    settings.LINLI_AUDIT_RETENTION_DAYS = 184
    kept = _aged(AuditEntry, 183, action="update", target_type="x", target_id="1")
    gone = _aged(AuditEntry, 185, action="update", target_type="x", target_id="2")
    assert purge_expired()["audit_entries"] == 1
    assert AuditEntry.objects.filter(pk=kept.pk).exists() and not AuditEntry.objects.filter(pk=gone.pk).exists()


def test_a_retention_under_six_months_is_refused(monkeypatch):
    monkeypatch.setenv("LINLI_AUDIT_RETENTION_DAYS", "100")
    with pytest.raises(ImproperlyConfigured):
        env_int("LINLI_AUDIT_RETENTION_DAYS", 365, minimum=184)
    monkeypatch.setenv("LINLI_AUDIT_RETENTION_DAYS", "half a year")
    with pytest.raises(ImproperlyConfigured):
        env_int("LINLI_AUDIT_RETENTION_DAYS", 365, minimum=184)


def test_delivered_notifications_and_old_codes_go_the_rest_stays(db):
    old = 200
    sent = _aged(Notification, old, channel=Notification.Channel.SMS, subject="s", body="b", state=Notification.State.SENT)
    pending = _aged(Notification, old, channel=Notification.Channel.SMS, subject="s", body="b", state=Notification.State.PENDING)
    unread = _aged(Notification, old, channel=Notification.Channel.IN_APP, subject="s", body="b", state=Notification.State.SENT)
    recent = _aged(Notification, 3, channel=Notification.Channel.SMS, subject="s", body="b", state=Notification.State.SENT)
    expires = timezone.now()
    old_code = _aged(PhoneVerification, 3, phone_digest="p", code_digest="c", expires_at=expires)
    new_code = _aged(PhoneVerification, 0, phone_digest="p", code_digest="c", expires_at=expires)
    counts = purge_expired()
    assert counts["notifications"] == 1 and counts["phone_codes"] == 1
    assert not Notification.objects.filter(pk=sent.pk).exists()
    assert Notification.objects.filter(pk__in=[pending.pk, unread.pk, recent.pk]).count() == 3
    assert not PhoneVerification.objects.filter(pk=old_code.pk).exists() and PhoneVerification.objects.filter(pk=new_code.pk).exists()
