"""Deadlines in working days: Spring Festival, National Day, make-up Saturdays, unknown years."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest

from linli.core.models import CalendarDay
from linli.core.workdays import add_working_days, deadline_after, is_workday

pytestmark = pytest.mark.django_db
SH = ZoneInfo("Asia/Shanghai")


def test_spring_festival_2026_is_skipped():
    # Fri 13 Feb + 1 working day = Sat 14 Feb, a make-up working day (调休上班).
    assert add_working_days(date(2026, 2, 13), 1) == date(2026, 2, 14)
    # Sat 14 Feb + 1: the holiday runs 15–23 Feb, so Tue 24 Feb.
    assert add_working_days(date(2026, 2, 14), 1) == date(2026, 2, 24)
    # 5 working days from Thu 12 Feb: 13, 14 (Sat, make-up), 24, 25, 26.
    assert add_working_days(date(2026, 2, 12), 5) == date(2026, 2, 26)


def test_make_up_saturday_after_spring_festival_counts():
    # Fri 27 Feb + 1 = Sat 28 Feb (make-up), + 2 = Mon 2 Mar.
    assert add_working_days(date(2026, 2, 27), 1) == date(2026, 2, 28)
    assert add_working_days(date(2026, 2, 27), 2) == date(2026, 3, 2)


def test_national_day_2026():
    # Wed 30 Sep + 1: 1–7 Oct are holidays, so Thu 8 Oct; + 3 = Sat 10 Oct (make-up).
    assert add_working_days(date(2026, 9, 30), 1) == date(2026, 10, 8)
    assert add_working_days(date(2026, 9, 30), 3) == date(2026, 10, 10)
    assert is_workday(date(2026, 9, 20))  # Sunday, make-up working day


def test_deadline_is_end_of_the_working_day_in_shanghai():
    moment = datetime(2026, 9, 30, 16, 0, tzinfo=SH)
    assert deadline_after(moment, 1) == datetime(2026, 10, 8, 23, 59, 59, tzinfo=SH)


def test_unknown_future_year_never_crashes_and_uses_weekdays():
    # chinese-calendar does not know 2031: Monday to Friday count.
    assert add_working_days(date(2031, 1, 3), 1) == date(2031, 1, 6)  # Fri → Mon
    assert deadline_after(datetime(2031, 1, 3, 10, tzinfo=SH), 5).date() == date(2031, 1, 10)


def test_administrators_extend_the_calendar_for_a_new_year():
    CalendarDay.objects.create(date=date(2031, 1, 1), is_workday=False, note="元旦")
    CalendarDay.objects.create(date=date(2031, 1, 4), is_workday=True, note="调休上班")
    assert add_working_days(date(2030, 12, 31), 1) == date(2031, 1, 2)
    assert add_working_days(date(2031, 1, 3), 1) == date(2031, 1, 4)


def test_admin_entry_overrides_the_package():
    CalendarDay.objects.create(date=date(2026, 3, 2), is_workday=False, note="临时")
    assert add_working_days(date(2026, 2, 27), 2) == date(2026, 3, 3)
