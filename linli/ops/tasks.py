"""The site-wide deadline scan as a task (django-tasks), so cron can hand it to the worker."""

from django_tasks import task


def scan_deadlines_now() -> dict[str, int]:
    from linli.appeals.services import appeals_scan_deadlines
    from linli.gridwork.services import patrols_close_forgotten, visits_flag_overdue
    from linli.resident_services.services import orders_flag_late
    from linli.volunteers.services import activities_remind, points_expire
    from linli.wishes.services import wishes_release_expired

    counts = appeals_scan_deadlines()
    counts["wishes_released"] = wishes_release_expired()
    counts["patrols_closed"] = patrols_close_forgotten()
    counts["activities_reminded"] = activities_remind()
    counts["points_expired"] = points_expire()
    counts["service_orders_late"] = orders_flag_late()
    counts["visits_overdue_flagged"] = visits_flag_overdue()
    return counts


@task()
def scan_deadlines() -> dict:
    return scan_deadlines_now()
