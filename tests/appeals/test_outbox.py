"""The notification outbox: written with the change, delivered by a task, retried, never lost."""

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from linli.appeals import services
from linli.core import outbox
from linli.core.models import Notification


class Down(outbox.Sender):
    def send(self, notification):
        raise ConnectionError("gateway down")


@pytest.fixture
def senders(settings):
    settings.LINLI_NOTIFY_SENDERS = {
        "in_app": "linli.core.outbox.InAppSender",
        "sms": "linli.core.outbox.ConsoleSender",
        "wechat": "linli.core.outbox.ConsoleSender",
    }
    return settings


def test_dispatch_tells_the_handler_and_the_reporter(world, new_appeal, senders):
    a = new_appeal()
    services.appeal_accept(actor=world.user("staff"), appeal=a)
    services.appeal_dispatch(actor=world.user("staff"), appeal=a, users=[world.user("gridworker")])
    to_worker = Notification.objects.filter(recipient=world.user("gridworker"))
    assert {n.channel for n in to_worker} == {"in_app", "sms"}
    assert "请及时签收" in to_worker.first().body
    to_reporter = Notification.objects.filter(recipient=world.user("resident"))
    assert {"in_app", "wechat"} <= {n.channel for n in to_reporter}


def test_reporter_without_account_gets_sms_by_phone(world, new_appeal, senders):
    a = new_appeal(actor=world.user("gridworker"), channel="grid_worker", reporter_name="王奶奶", contact_phone="13911112222")
    (received,) = Notification.objects.filter(channel="sms", recipient__isnull=True).order_by("id")
    assert received.phone == "13911112222"  # stored encrypted, read back in clear by the sender only
    assert a.number in received.text and "/t/" in received.text  # the tracking link, in the SMS only
    assert "/t/" not in received.body  # the readable column keeps no link that stands for the reporter
    services.appeal_accept(actor=world.user("staff"), appeal=a)
    assert Notification.objects.filter(channel="sms", recipient__isnull=True).count() == 2


def test_a_refused_change_leaves_no_notification(world, new_appeal):
    a = new_appeal()
    before = Notification.objects.count()
    with pytest.raises(PermissionDenied):
        services.appeal_accept(actor=world.user("far_staff"), appeal=a)
    assert Notification.objects.count() == before


def test_delivery_sends_once_and_prints_no_phone(world, new_appeal, senders, capsys):
    outbox.queue(phone="13911112222", channels=["sms"], subject="测试", body="内容")
    assert outbox.deliver_due()["sent"] == 1
    assert outbox.deliver_due()["sent"] == 0  # claimed rows are not sent twice
    out = capsys.readouterr().out
    assert "139****2222" in out and "13911112222" not in out


def test_a_sender_that_is_down_is_retried_and_nothing_is_lost(world, senders):
    senders.LINLI_NOTIFY_SENDERS = {**senders.LINLI_NOTIFY_SENDERS, "sms": "tests.appeals.test_outbox.Down"}
    (n,) = outbox.queue(recipient=world.user("resident"), channels=["sms"], subject="s", body="b")
    assert outbox.deliver_due()["retry"] == 1
    n.refresh_from_db()
    assert n.state == "pending" and n.attempts == 1 and n.next_attempt_at > timezone.now() and "gateway down" in n.last_error
    # Not due yet: nothing happens.
    assert outbox.deliver_due() == {"sent": 0, "retry": 0, "failed": 0}
    # The gateway comes back; the message goes out on the next due run.
    senders.LINLI_NOTIFY_SENDERS = {**senders.LINLI_NOTIFY_SENDERS, "sms": "linli.core.outbox.ConsoleSender"}
    assert outbox.deliver_due(now=n.next_attempt_at)["sent"] == 1


def test_gives_up_after_max_attempts_but_keeps_the_row(world, senders):
    senders.LINLI_NOTIFY_SENDERS = {**senders.LINLI_NOTIFY_SENDERS, "sms": "tests.appeals.test_outbox.Down"}
    (n,) = outbox.queue(recipient=world.user("resident"), channels=["sms"], subject="s", body="b")
    when = timezone.now()
    for _ in range(outbox.MAX_ATTEMPTS):
        outbox.deliver_due(now=when)
        n.refresh_from_db()
        when = n.next_attempt_at
    assert n.state == "failed" and Notification.objects.filter(pk=n.pk).exists()


def test_messages_page_shows_in_app_notifications(world, new_appeal, login):
    a = new_appeal()
    services.appeal_accept(actor=world.user("staff"), appeal=a)
    body = login(world.user("resident")).get("/messages/").content.decode()
    assert a.number in body
    assert Notification.objects.filter(recipient=world.user("resident"), channel="in_app", read_at__isnull=False).exists()
