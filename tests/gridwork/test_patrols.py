"""Patrols and the daily rule: time per compound and day, at its edges (59/60 minutes, midnight,
a forgotten patrol, a holiday), and who may patrol where."""

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection

from linli.accounts.models import Role
from linli.core.models import CalendarDay
from linli.gridwork import selectors, services
from linli.gridwork.models import GridworkRule, Patrol, PatrolTime, split_by_day
from linli.registry.models import Place, PlaceKind
from linli.registry.services import roles
from linli.registry.vocabulary import grid_family
from tests.conftest import race

SH = ZoneInfo("Asia/Shanghai")


def at(y, m, d, hh=9, mm=0, ss=0):
    return datetime(y, m, d, hh, mm, ss, tzinfo=SH)


@pytest.fixture
def compound(world):
    return Place.objects.get(kind=PlaceKind.COMPOUND, name="阳光花园")


@pytest.fixture
def far_compound(world):
    return Place.objects.get(kind=PlaceKind.COMPOUND, name="新桥一村")


def patrol(user, compound, start, minutes=0, seconds=0):
    p = services.patrol_start(actor=user, compound=compound, now=start)
    return services.patrol_end(actor=user, patrol=p, now=start + timedelta(minutes=minutes, seconds=seconds))


def minutes_on(world, user, days, today):
    data = selectors.compliance([world.grid.pk], community_id=world.community.pk, n_days=days, today=today)
    (row,) = [w for w in data["workers"] if w.assignment.user_id == user.pk]
    return [(d, m, ok) for d, m, ok in row.days]


def test_59_minutes_is_short_and_60_is_not(world, compound):
    worker = world.user("gridworker")
    patrol(worker, compound, at(2025, 11, 19), minutes=59, seconds=59)  # Wednesday
    patrol(worker, compound, at(2025, 11, 20), minutes=60)  # Thursday
    assert minutes_on(world, worker, 2, date(2025, 11, 20)) == [(date(2025, 11, 19), 59, False), (date(2025, 11, 20), 60, True)]


def test_time_adds_up_over_compounds_and_patrols_of_a_day(world, compound):
    worker = world.user("gridworker")
    patrol(worker, compound, at(2025, 11, 20, 8), minutes=25)
    patrol(worker, compound, at(2025, 11, 20, 14), minutes=35)
    assert minutes_on(world, worker, 1, date(2025, 11, 20)) == [(date(2025, 11, 20), 60, True)]
    assert PatrolTime.objects.get(worker=worker, day=date(2025, 11, 20)).seconds == 3600


def test_a_patrol_across_midnight_counts_on_both_days(world, compound):
    worker = world.user("gridworker")
    patrol(worker, compound, at(2025, 11, 19, 23, 30), minutes=75)  # 30 min Wednesday, 45 min Thursday
    assert minutes_on(world, worker, 3, date(2025, 11, 21))[:2] == [(date(2025, 11, 19), 30, False), (date(2025, 11, 20), 45, False)]


def test_split_by_day_is_local_time():
    # 16:00 UTC is midnight in Shanghai: the first hour is the 19th, the second the 20th.
    start = datetime(2025, 11, 19, 15, 0, tzinfo=ZoneInfo("UTC"))
    assert split_by_day(start, start + timedelta(hours=2)) == [(date(2025, 11, 19), 3600), (date(2025, 11, 20), 3600)]
    assert split_by_day(start, start) == []


def test_starting_a_second_patrol_ends_the_first(world, compound):
    worker = world.user("gridworker")
    first = services.patrol_start(actor=worker, compound=compound, now=at(2025, 11, 20, 9))
    second = services.patrol_start(actor=worker, compound=compound, now=at(2025, 11, 20, 9, 40))
    first.refresh_from_db()
    assert first.ended_at == at(2025, 11, 20, 9, 40) and not first.auto_closed
    assert Patrol.objects.filter(worker=worker, ended_at__isnull=True).get() == second
    services.patrol_end(actor=worker, patrol=second, now=at(2025, 11, 20, 10, 0))
    assert minutes_on(world, worker, 1, date(2025, 11, 20))[0][1] == 60


def test_a_forgotten_patrol_closes_itself_at_the_cap_and_earns_nothing_by_default(world, compound):
    worker = world.user("gridworker")
    p = services.patrol_start(actor=worker, compound=compound, now=at(2025, 11, 20, 9))
    assert services.patrols_close_forgotten(now=at(2025, 11, 20, 12, 59)) == 0  # cap 240 minutes not reached
    assert services.patrols_close_forgotten(now=at(2025, 11, 20, 13, 0)) == 1
    p.refresh_from_db()
    assert p.auto_closed and p.ended_at == at(2025, 11, 20, 13, 0)
    assert minutes_on(world, worker, 1, date(2025, 11, 20))[0][1] == 0
    with pytest.raises(ValidationError):  # the worker comes back to end it: already ended
        services.patrol_end(actor=worker, patrol=p, now=at(2025, 11, 20, 18))


def test_a_community_may_count_auto_closed_patrols_up_to_its_cap(world, compound):
    services.rule_save(actor=world.user("staff"), community=world.community, auto_close_minutes=90, count_auto_closed=True)
    worker = world.user("gridworker")
    p = services.patrol_start(actor=worker, compound=compound, now=at(2025, 11, 20, 9))
    # Ended by hand after the cap: it ends at the cap, marked as closed by the rule.
    p = services.patrol_end(actor=worker, patrol=p, now=at(2025, 11, 20, 17))
    assert p.auto_closed and p.ended_at == at(2025, 11, 20, 10, 30)
    assert minutes_on(world, worker, 1, date(2025, 11, 20))[0][1] == 90


def test_holidays_are_not_days_of_the_rule_and_make_up_days_are(world, compound):
    worker = world.user("gridworker")
    # National Day 2025: 1–8 October off; Sunday 28 September and Saturday 11 October are working days.
    days = [d for d, _m, _ok in minutes_on(world, worker, 3, date(2025, 10, 9))]
    assert days == [date(2025, 9, 29), date(2025, 9, 30), date(2025, 10, 9)]
    assert date(2025, 9, 28) in selectors.days_back(4, today=date(2025, 9, 30))
    # The administrator's calendar wins over the package.
    CalendarDay.objects.create(date=date(2025, 10, 9), is_workday=False, note="停电放假")
    assert date(2025, 10, 9) not in selectors.days_back(3, today=date(2025, 10, 9))
    # A community that counts every day includes the holiday.
    GridworkRule.objects.create(community=world.community, working_days_only=False)
    days = [d for d, _m, _ok in minutes_on(world, worker, 3, date(2025, 10, 3))]
    assert days == [date(2025, 10, 1), date(2025, 10, 2), date(2025, 10, 3)]


def test_the_rule_minutes_are_the_communitys(world, compound):
    worker = world.user("gridworker")
    services.rule_save(actor=world.user("staff"), community=world.community, min_minutes_per_day=30)
    patrol(worker, compound, at(2025, 11, 20), minutes=30)
    assert minutes_on(world, worker, 1, date(2025, 11, 20)) == [(date(2025, 11, 20), 30, True)]
    with pytest.raises(ValidationError):
        services.rule_save(actor=world.user("staff"), community=world.community, min_minutes_per_day=0)
    with pytest.raises(PermissionDenied):
        services.rule_save(actor=world.user("gridleader"), community=world.community, min_minutes_per_day=10)


def test_only_compounds_of_ones_grid(world, compound, far_compound):
    with pytest.raises(PermissionDenied):
        services.patrol_start(actor=world.user("far_gridworker"), compound=compound)
    with pytest.raises(PermissionDenied):
        services.patrol_start(actor=world.user("gridworker"), compound=far_compound)
    for role in ("staff", "resident", "buildinghead", "property", "street"):
        with pytest.raises(PermissionDenied):
            services.patrol_start(actor=world.user(role), compound=compound)
    # A building is not a compound.
    with pytest.raises(PermissionDenied):
        services.patrol_start(actor=world.user("gridworker"), compound=world.building)
    # 阳光花园 spans grids 1 and 2: each grid's worker patrols it in their own grid's name.
    p = services.patrol_start(actor=world.user("other_gridworker"), compound=compound)
    assert p.grid == world.other_grid


def test_only_the_worker_ends_their_patrol(world, compound):
    p = services.patrol_start(actor=world.user("gridworker"), compound=compound)
    for role in ("gridleader", "staff", "other_gridworker"):
        with pytest.raises(PermissionDenied):
            services.patrol_end(actor=world.user(role), patrol=p)


def test_coordinates_are_checked(world, compound):
    worker = world.user("gridworker")
    with pytest.raises(ValidationError):
        services.patrol_start(actor=worker, compound=compound, latitude="91", longitude="117")
    with pytest.raises(ValidationError):
        services.patrol_start(actor=worker, compound=compound, latitude="abc", longitude="117")
    p = services.patrol_start(actor=worker, compound=compound, latitude="30.664", longitude="117.49", by_qr=True)
    assert p.by_qr and str(p.start_latitude) == "30.664000"


def test_a_micro_grid_worker_counts_for_the_grid(world, compound):
    """Time patrolled for a micro-grid counts on the grid's page."""
    from linli.registry import services as registry

    micro = registry.grid_create(
        actor=world.admin, community=world.community, name="微网格", code="341103004001101", kind="micro", parent=world.grid
    )
    u = world.user("gridworker").__class__.objects.create_user("micro_worker", password="x-Strong-pass-1")
    roles.role_assign(actor=world.admin, user=u, role=Role.GRID_WORKER, grid=micro)
    registry.grid_assign_buildings(actor=world.admin, grid=micro, buildings=[world.building])
    patrol(u, compound, at(2025, 11, 20), minutes=61)
    data = selectors.compliance(grid_family([world.grid.pk]), community_id=world.community.pk, n_days=1, today=date(2025, 11, 20))
    assert [(w.assignment.user.username, w.days[0][1]) for w in data["workers"] if w.assignment.user_id == u.pk] == [("micro_worker", 61)]


def test_compliance_reads_a_fixed_number_of_queries(world, compound, django_assert_max_num_queries):
    worker = world.user("gridworker")
    for i in range(5):
        patrol(worker, compound, at(2025, 11, 10 + i), minutes=30 + i)
    with django_assert_max_num_queries(6):
        selectors.compliance([world.grid.pk, world.other_grid.pk], community_id=world.community.pk, n_days=10, today=date(2025, 11, 20))


@pytest.mark.django_db(transaction=True)
def test_two_devices_start_at_once_one_patrol_is_open(world, compound):
    if connection.vendor != "postgresql":
        pytest.skip("row locks and the partial unique index race only on PostgreSQL")
    worker = world.user("gridworker")
    results = race(4, lambda i: services.patrol_start(actor=worker, compound=compound))
    assert results.count("ok") >= 1
    assert Patrol.objects.filter(worker=worker, ended_at__isnull=True).count() == 1


@pytest.mark.django_db(transaction=True)
def test_ending_twice_at_once_credits_once(world, compound):
    if connection.vendor != "postgresql":
        pytest.skip("concurrent updates race only on PostgreSQL")
    worker = world.user("gridworker")
    p = services.patrol_start(actor=worker, compound=compound, now=at(2025, 11, 20, 9))
    results = race(4, lambda i: services.patrol_end(actor=worker, patrol=Patrol.objects.get(pk=p.pk), now=at(2025, 11, 20, 10)))
    assert results.count("ok") == 1 and results.count("ValidationError") == 3
    assert PatrolTime.objects.get(worker=worker).seconds == 3600


def test_today_is_not_short_until_it_is_over(world, compound):
    worker = world.user("gridworker")
    patrol(worker, compound, at(2025, 11, 20, 8), minutes=20)
    data = selectors.compliance([world.grid.pk], community_id=world.community.pk, n_days=2, today=date(2025, 11, 20))
    (row,) = [w for w in data["workers"] if w.assignment.user_id == worker.pk]
    assert row.days == [(date(2025, 11, 19), 0, False), (date(2025, 11, 20), 20, None)] and row.short_days == 1


def test_a_worker_with_two_grids_is_counted_once_everywhere(client, world, compound):
    """One worker holding two grids of the community: 40 minutes credited to one grid and 30 to
    the other make one day of 70 minutes — one row on each grid's page and on the community's,
    enough on the day page, one worker-day on the dashboard (issue 23: the rule in one place)."""
    from django.urls import reverse

    from linli.dashboard import selectors as dashboard
    from tests.conftest import signed_in

    worker = world.user("gridworker")
    roles.role_assign(actor=world.admin, user=worker, role=Role.GRID_WORKER, grid=world.other_grid)
    day = date(2025, 11, 20)  # Thursday
    PatrolTime.objects.create(worker=worker, grid=world.grid, compound=compound, day=day, seconds=40 * 60)
    from linli.registry.services import places

    second = places.place_create(actor=world.admin, parent=world.community, kind="compound", name="锦绣家园", management_status="property")
    PatrolTime.objects.create(worker=worker, grid=world.other_grid, compound=second, day=day, seconds=30 * 60)
    for grids in ([world.grid.pk], [world.other_grid.pk], [world.grid.pk, world.other_grid.pk]):
        data = selectors.compliance(grids, community_id=world.community.pk, n_days=1, today=day)
        rows = [w for w in data["workers"] if w.assignment.user_id == worker.pk]
        assert len(rows) == 1 and rows[0].days == [(day, 70, True)]
        assert {g.pk for g in rows[0].grids} == {world.grid.pk, world.other_grid.pk}
    assert selectors.worker_day_seconds(community_id=world.community.pk, worker_ids=[worker.pk], start=day, end=day) == {
        (worker.pk, day): 4200
    }
    period = dashboard.Period(date(2025, 11, 20), date(2025, 11, 20))
    figures = dashboard.work_figures(world.community, period, now=at(2025, 11, 21))
    assert figures["patrol_compliance"].numerator == 1
    rule = GridworkRule.for_community(world.community.pk)
    assert rule.met(3600) and not rule.met(3599) and rule.pk is None
    with_patrol = services.patrol_start(actor=worker, compound=compound)
    services.patrol_end(actor=worker, patrol=with_patrol, now=with_patrol.started_at + timedelta(minutes=61))
    signed_in(client, worker)
    page = client.get(reverse("gridwork:day")).content.decode()
    assert "61" in page
