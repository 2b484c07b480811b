"""Notifications: queue in the outbox inside the caller's transaction; deliver from a task.

Senders share one interface (``send(notification) -> None``, raising on failure) and are
chosen per channel by settings (``LINLI_NOTIFY_SENDERS``), so an SMS gateway or a WeChat
template-message client plugs in without touching callers. In development the console sender
prints. A failed send is retried with backoff; after ``MAX_ATTEMPTS`` it is marked failed and
stays visible in the admin.
"""

from __future__ import annotations

import logging
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.module_loading import import_string
from django_tasks import task

from linli.core.masking import mask_phone
from linli.core.models import Notification

logger = logging.getLogger(__name__)
MAX_ATTEMPTS = 8
BATCH = 200


class Sender:
    def send(self, notification: Notification) -> None:  # pragma: no cover - interface
        raise NotImplementedError


class InAppSender(Sender):
    """In-app messages are the stored row itself: delivering means making it visible."""

    def send(self, notification: Notification) -> None:
        return None


class ConsoleSender(Sender):
    """Development: print instead of sending. Prints the masked phone, never the number."""

    def send(self, notification: Notification) -> None:
        to = notification.recipient_id or mask_phone(notification.phone)
        print(f"[{notification.channel}] to {to}: {notification.subject} — {notification.text}", flush=True)


class UnavailableSender(Sender):
    """A channel with no gateway configured: keeps messages pending, never drops them."""

    def send(self, notification: Notification) -> None:
        raise RuntimeError(f"no sender configured for {notification.channel}")


def _sender(channel: str) -> Sender:
    senders = getattr(settings, "LINLI_NOTIFY_SENDERS", {})
    path = senders.get(channel)
    if not path:
        return UnavailableSender()
    return import_string(path)()


def messages(
    *,
    recipient=None,
    phone: str = "",
    channels=(Notification.Channel.IN_APP,),
    subject: str,
    body: str,
    link: str = "",
    sealed: bool = False,
) -> list[Notification]:
    """The unsaved outbox rows for one person on these channels (in the app only with an
    account; SMS and WeChat with an account or a phone). ``sealed``: the body carries a secret
    (a one-time code, a personal link) — it is stored encrypted and dropped once sent, and the
    row itself says only what kind of message it was."""
    rows = []
    now = timezone.now()
    for channel in channels:
        if channel != Notification.Channel.IN_APP and not (phone or recipient):
            continue
        if channel == Notification.Channel.IN_APP and recipient is None:
            continue
        rows.append(
            Notification(
                recipient=recipient,
                phone=phone,
                channel=channel,
                subject=subject[:100],
                body=subject if sealed else body,
                sealed_body=body if sealed else "",
                link=link[:200],
                next_attempt_at=now,
            )
        )
    return rows


def write(rows: list[Notification], *, batch_size: int | None = None) -> list[Notification]:
    """Store outbox rows in the current transaction; delivery is enqueued after commit."""
    created = Notification.objects.bulk_create(rows, batch_size=batch_size)
    if created:
        transaction.on_commit(lambda: deliver_notifications.enqueue())
    return created


def queue(**kwargs) -> list[Notification]:
    """One person's messages, written now (``messages`` + ``write``)."""
    return write(messages(**kwargs))


@task()
def deliver_notifications() -> dict:
    return deliver_due()


def _backoff(attempts: int) -> timedelta:
    return timedelta(seconds=min(30 * 2**attempts, 6 * 3600))


def deliver_due(*, now=None, limit: int = BATCH) -> dict[str, int]:
    """Send what is due. Each row is claimed with a conditional update, so two workers never
    send the same message twice."""
    now = now or timezone.now()
    counts = {"sent": 0, "retry": 0, "failed": 0}
    due = list(
        Notification.objects.filter(state=Notification.State.PENDING, next_attempt_at__lte=now)
        .order_by("next_attempt_at")
        .values_list("id", "attempts")[:limit]
    )
    for pk, attempts in due:
        # Claim: push next_attempt_at forward only if nobody else did since we read it.
        claimed = Notification.objects.filter(pk=pk, state=Notification.State.PENDING, attempts=attempts).update(
            attempts=attempts + 1, next_attempt_at=now + _backoff(attempts)
        )
        if not claimed:
            continue
        n = Notification.objects.get(pk=pk)
        try:
            _sender(n.channel).send(n)
        except Exception as e:  # any sender failure: retry later, keep the message
            error = f"{type(e).__name__}: {e}"[:200]
            if n.attempts >= MAX_ATTEMPTS:
                Notification.objects.filter(pk=pk).update(state=Notification.State.FAILED, last_error=error, sealed_body="")
                counts["failed"] += 1
            else:
                Notification.objects.filter(pk=pk).update(last_error=error)
                counts["retry"] += 1
            logger.warning("notification %s on %s failed (attempt %s)", pk, n.channel, n.attempts)
        else:
            Notification.objects.filter(pk=pk).update(state=Notification.State.SENT, sent_at=timezone.now(), last_error="", sealed_body="")
            counts["sent"] += 1
    return counts
