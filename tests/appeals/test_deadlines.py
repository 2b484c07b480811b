"""Deadline scanning: a reminder a day before, an overdue notice after, each sent once."""

from datetime import timedelta

from django.utils import timezone

from linli.appeals import services
from linli.appeals.models import Appeal
from linli.core.models import Notification


def test_dispatch_sets_working_day_deadlines(world, in_progress, category):
    assert in_progress.sign_deadline <= in_progress.complete_deadline
    assert in_progress.complete_deadline > timezone.now() + timedelta(days=category.complete_days - 1)


def test_reminder_once_before_the_deadline(world, in_progress):
    Appeal.objects.filter(pk=in_progress.pk).update(complete_deadline=timezone.now() + timedelta(hours=5))
    assert services.appeals_scan_deadlines() == {"reminded": 1, "overdue": 0}
    assert services.appeals_scan_deadlines() == {"reminded": 0, "overdue": 0}
    n = Notification.objects.filter(recipient=world.user("gridworker"), subject__startswith="即将超期")
    assert n.exists()


def test_overdue_notice_to_community_staff_once(world, in_progress):
    Appeal.objects.filter(pk=in_progress.pk).update(complete_deadline=timezone.now() - timedelta(minutes=1))
    assert services.appeals_scan_deadlines()["overdue"] == 1
    assert services.appeals_scan_deadlines()["overdue"] == 0
    assert Notification.objects.filter(recipient=world.user("staff"), subject__startswith="已超期").exists()
    assert not Notification.objects.filter(recipient=world.user("far_staff")).exists()
    assert in_progress.events.filter(action="overdue", public=False).exists()


def test_extension_rearms_the_reminder(world, in_progress):
    Appeal.objects.filter(pk=in_progress.pk).update(complete_deadline=timezone.now() - timedelta(minutes=1))
    services.appeals_scan_deadlines()
    in_progress.refresh_from_db()
    a = services.appeal_extend(actor=world.user("staff"), appeal=in_progress, working_days=2, reason="等配件")
    assert a.overdue_notified_at is None and a.complete_deadline > timezone.now()


def test_overdue_list_per_level(world, in_progress, login):
    Appeal.objects.filter(pk=in_progress.pk).update(complete_deadline=timezone.now() - timedelta(hours=1))
    client = login(world.user("staff"))
    assert in_progress.number in client.get("/appeals/?status=open&overdue=1&level=grid").content.decode()
    assert in_progress.number not in client.get("/appeals/?status=open&overdue=1&level=community").content.decode()


def test_scan_runs_as_a_task(world, in_progress):
    from linli.ops.tasks import scan_deadlines

    Appeal.objects.filter(pk=in_progress.pk).update(complete_deadline=timezone.now() - timedelta(minutes=1))
    assert scan_deadlines.call() == {
        "reminded": 0,
        "overdue": 1,
        "wishes_released": 0,
        "patrols_closed": 0,
        "activities_reminded": 0,
        "points_expired": 0,
        "service_orders_late": 0,
        "visits_overdue_flagged": 0,
    }
