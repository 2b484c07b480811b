"""Grid work on the community dashboard: a worker-day counts when it reaches the rule (60
minutes: 59 is short), on the days the rule applies to."""

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from linli.accounts.models import Role, RoleAssignment
from linli.core.workdays import is_workday
from linli.dashboard import selectors
from linli.gridwork.models import PatrolTime
from linli.registry.models import Grid, Place, PlaceKind


def test_patrol_compliance_counts_worker_days_at_the_rule(world):
    period = selectors.Period(date(2025, 11, 1), date(2025, 11, 30))
    workdays = [d for d in (period.start + timedelta(days=i) for i in range(30)) if is_workday(d)]
    saturday = date(2025, 11, 8)
    assert not is_workday(saturday)
    worker = world.user("gridworker")
    compound = Place.objects.filter(kind=PlaceKind.COMPOUND, path__startswith=world.community.path).first()
    for day, seconds in ((workdays[0], 3600), (workdays[1], 3599), (saturday, 7200)):
        PatrolTime.objects.create(worker=worker, grid=world.grid, compound=compound, day=day, seconds=seconds)
    workers = (
        RoleAssignment.objects.filter(role=Role.GRID_WORKER, grid__in=Grid.objects.filter(community=world.community))
        .values("user")
        .distinct()
        .count()
    )
    now = datetime(2025, 12, 5, 9, tzinfo=ZoneInfo("Asia/Shanghai"))
    figures = selectors.work_figures(world.community, period, now=now)
    assert figures["patrol_compliance"] == selectors.Rate(1, workers * len(workdays))
