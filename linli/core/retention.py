"""How long Linli keeps what it keeps only for a while: the audit log (at least six months),
notifications once delivered, one-time phone codes. Run nightly by ``manage.py purge_expired``."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.db.models import Q
from django.utils import timezone

# A code is kept a day past its expiry: the per-phone daily limit counts the last day's codes.
CODE_DAYS = 2
# Read in-app messages stay a year in the user's message list; unread ones stay until read.
IN_APP_READ_DAYS = 365


def purge_expired(*, now=None) -> dict[str, int]:
    from linli.core.models import AuditEntry, Notification, PhoneVerification

    now = now or timezone.now()
    audit = AuditEntry.objects.filter(created_at__lt=now - timedelta(days=settings.LINLI_AUDIT_RETENTION_DAYS)).delete()[0]
    delivered = Q(state__in=[Notification.State.SENT, Notification.State.FAILED]) & ~Q(channel=Notification.Channel.IN_APP)
    delivered &= Q(created_at__lt=now - timedelta(days=settings.LINLI_NOTIFICATION_RETENTION_DAYS))
    read = Q(channel=Notification.Channel.IN_APP, read_at__lt=now - timedelta(days=IN_APP_READ_DAYS))
    notifications = Notification.objects.filter(delivered | read).delete()[0]
    codes = PhoneVerification.objects.filter(created_at__lt=now - timedelta(days=CODE_DAYS)).delete()[0]
    return {"audit_entries": audit, "notifications": notifications, "phone_codes": codes}
