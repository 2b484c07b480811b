"""One way to tell people (告知): every domain says who, what and where to look; this writes the
outbox rows in the caller's transaction, so a message commits or rolls back with the change it
reports, and the worker delivers it after commit (``core.outbox``).

Domains never write outbox rows themselves. Who needs to know is the domain's question (its
members, the reporter, the grid leader — the registry's vocabulary answers "the staff of a
community"); how they are told is asked here:

* ``notify(people, …)`` — people with an account, each once, on the channels given (in the app
  and WeChat by default; in the app and SMS when it is urgent);
* ``notify_phone(phone, …)`` — someone without an account, by SMS; a body that stands for the
  person (a tracking link, a code) is ``sealed``: stored encrypted until sent;
* ``messages_for(people, …)`` — the same rows unsaved, for a domain that writes thousands at
  once in batches (a notice to a whole community).
"""

from __future__ import annotations

from collections.abc import Iterable

from linli.core import outbox
from linli.core.models import Notification

IN_APP = Notification.Channel.IN_APP
SMS = Notification.Channel.SMS
WECHAT = Notification.Channel.WECHAT

# What most changes send: a message in the app, and WeChat where a sender is configured.
ROUTINE = (IN_APP, WECHAT)
# What must reach a phone today: a dispatch to sign, a water cut.
URGENT = (IN_APP, SMS)
IN_APP_ONLY = (IN_APP,)


def _each_once(people: Iterable, exclude: Iterable = ()) -> list:
    skip = {getattr(p, "pk", p) for p in exclude if p is not None}
    seen: dict[int, object] = {}
    for person in people:
        if person is None or person.pk in skip:
            continue
        seen.setdefault(person.pk, person)
    return list(seen.values())


def messages_for(
    people: Iterable, *, subject: str, body: str, link: str = "", channels=ROUTINE, exclude: Iterable = ()
) -> list[Notification]:
    """The unsaved rows ``notify`` would write."""
    rows: list[Notification] = []
    for person in _each_once(people, exclude):
        rows += outbox.messages(recipient=person, channels=channels, subject=subject, body=body, link=link)
    return rows


def notify(people: Iterable, *, subject: str, body: str, link: str = "", channels=ROUTINE, exclude: Iterable = ()) -> int:
    """Tell each of these people once (``None`` and those in ``exclude`` — usually the person
    who acted — are skipped). Returns how many people were told."""
    everyone = _each_once(people, exclude)
    outbox.write(messages_for(everyone, subject=subject, body=body, link=link, channels=channels))
    return len(everyone)


def notify_phone(phone: str, *, subject: str, body: str, sealed: bool = False) -> int:
    """Tell someone without an account by SMS. Returns 1 when a message was written."""
    if not phone:
        return 0
    return len(outbox.queue(phone=phone, channels=(SMS,), subject=subject, body=body, sealed=sealed))


def write(rows: list[Notification], *, batch_size: int | None = None) -> int:
    """Store rows made by ``messages_for`` (or ``phone_message``) in the current transaction."""
    return len(outbox.write(rows, batch_size=batch_size))


def phone_message(phone: str, *, subject: str, body: str, sealed: bool = False) -> list[Notification]:
    """The unsaved SMS row ``notify_phone`` would write."""
    return outbox.messages(phone=phone, channels=(SMS,), subject=subject, body=body, sealed=sealed) if phone else []
