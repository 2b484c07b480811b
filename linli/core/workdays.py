"""Working days in China: statutory holidays and make-up working days (调休).

Order of authority for a date: an administrator's ``CalendarDay`` entry, then the
chinese-calendar package, then — for a year neither knows — Monday to Friday. The last rule
keeps deadlines computable (never a crash) and is logged so an administrator adds the year.
"""

from __future__ import annotations

import logging
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import chinese_calendar
from django.conf import settings

logger = logging.getLogger(__name__)
_warned_years: set[int] = set()


def _overrides(start: date, end: date) -> dict[date, bool]:
    from linli.core.models import CalendarDay

    return dict(CalendarDay.objects.filter(date__gte=start, date__lte=end).values_list("date", "is_workday"))


def overrides_between(start: date, end: date) -> dict[date, bool]:
    """The administrator's calendar entries in a span (pass to ``is_workday`` for many days)."""
    return _overrides(start, end)


def is_workday(day: date, overrides: dict[date, bool] | None = None) -> bool:
    if overrides is None:
        overrides = _overrides(day, day)
    if day in overrides:
        return overrides[day]
    try:
        return chinese_calendar.is_workday(day)
    except NotImplementedError:
        if day.year not in _warned_years:
            _warned_years.add(day.year)
            logger.warning("No holiday calendar for %s: counting Monday–Friday. Add the year in the admin (工作日历).", day.year)
        return day.weekday() < 5


def add_working_days(start: date, days: int) -> date:
    """The date of the ``days``-th working day after ``start`` (``start`` itself not counted)."""
    if days < 0:
        raise ValueError("days must be >= 0")
    # Long holidays are at most ~9 days; 3× plus a margin always covers the span.
    overrides = _overrides(start, start + timedelta(days=days * 3 + 20))
    current = start
    remaining = days
    while remaining > 0:
        current += timedelta(days=1)
        if is_workday(current, overrides):
            remaining -= 1
    return current


def deadline_after(moment: datetime, working_days: int) -> datetime:
    """End of the N-th working day after ``moment``'s local date ("N个工作日内"), as an aware datetime."""
    tz = ZoneInfo(settings.TIME_ZONE)
    local = moment.astimezone(tz)
    day = add_working_days(local.date(), working_days)
    return datetime.combine(day, time(23, 59, 59), tzinfo=tz)


def working_days_between(start: datetime, end: datetime) -> int:
    """Working days from ``start``'s local date to ``end``'s: the days after the start day up to
    and including the end day that are working days (signed the same day: 0; the next
    working day: 1), as "N个工作日内" counts them."""
    tz = ZoneInfo(settings.TIME_ZONE)
    first, last = start.astimezone(tz).date(), end.astimezone(tz).date()
    if last <= first:
        return 0
    overrides = _overrides(first, last)
    return sum(is_workday(first + timedelta(days=n), overrides) for n in range(1, (last - first).days + 1))
