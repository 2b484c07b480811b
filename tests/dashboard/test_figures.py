"""Every appeal figure equals a hand count, edges included: a signature exactly at its deadline
and one minute after it, an unrated appeal, one reopened by an unhappy rating then resolved,
one merged, one rejected, one overdue, one not yet decided."""

from datetime import datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from linli.appeals import services as appeal_services
from linli.appeals.models import Level
from linli.dashboard import selectors
from linli.dashboard.definitions import APPEAL_FIGURES
from linli.dashboard.models import AppealFact
from linli.dashboard.selectors import Rate

SH = ZoneInfo("Asia/Shanghai")


class Clock:
    def __init__(self, monkeypatch, start):
        self.now = start
        monkeypatch.setattr(timezone, "now", lambda: self.now)

    def at(self, moment):
        self.now = moment
        return moment


@pytest.fixture
def clock(monkeypatch):
    # Monday 17 November 2025, 09:00 in Shanghai: an ordinary working week.
    return Clock(monkeypatch, datetime(2025, 11, 17, 9, 0, tzinfo=SH))


def _dispatched(world, new_appeal, clock, **kw):
    staff = world.user("staff")
    a = new_appeal(**kw)
    appeal_services.appeal_accept(actor=staff, appeal=a)
    return appeal_services.appeal_dispatch(actor=staff, appeal=a, users=[world.user("gridworker")])


def test_every_figure_is_a_hand_count(world, new_appeal, clock):
    staff, worker, resident = world.user("staff"), world.user("gridworker"), world.user("resident")
    sign = lambda a: appeal_services.appeal_sign(actor=worker, appeal=a)  # noqa: E731
    resolve = lambda a: appeal_services.appeal_resolve(actor=worker, appeal=a, result="已修好")  # noqa: E731
    rate = lambda a, n: appeal_services.appeal_rate(actor=resident, appeal=a, rating=n)  # noqa: E731

    # A: signed exactly at the sign deadline (in time), resolved, rated 5, called back.
    a = _dispatched(world, new_appeal, clock, title="A")
    clock.at(a.sign_deadline)
    sign(a)
    resolve(a)
    rate(a, 5)
    appeal_services.appeal_callback(actor=staff, appeal=a, note="满意")
    # B: signed one minute after the sign deadline (late), resolved in time, never rated.
    clock.at(datetime(2025, 11, 17, 9, 0, tzinfo=SH))
    b = _dispatched(world, new_appeal, clock, title="B")
    clock.at(b.sign_deadline + timedelta(minutes=1))
    sign(b)
    resolve(b)
    # C: raised to the community level, resolved, rated 2 (which reopens it), dispatched again,
    # resolved after the new deadline, rated 4.
    clock.at(datetime(2025, 11, 17, 10, 0, tzinfo=SH))
    c = new_appeal(title="C")
    appeal_services.appeal_accept(actor=staff, appeal=c)
    appeal_services.appeal_set_level(actor=staff, appeal=c, level=Level.COMMUNITY, reason="需社区协调")
    c = appeal_services.appeal_dispatch(actor=staff, appeal=c, users=[worker])
    sign(c)
    resolve(c)
    rate(c, 2)
    c = appeal_services.appeal_dispatch(actor=staff, appeal=c, users=[worker])
    sign(c)
    clock.at(c.complete_deadline + timedelta(seconds=1))
    resolve(c)
    rate(c, 4)
    # D: merged into E before E is resolved (it then shares E's outcome but counts once).
    clock.at(datetime(2025, 11, 18, 9, 0, tzinfo=SH))
    e = _dispatched(world, new_appeal, clock, title="E")
    d = new_appeal(title="D")
    appeal_services.appeal_merge(actor=staff, appeal=d, into=e)
    sign(e)
    resolve(e)
    # F: rejected.
    f = new_appeal(title="F")
    appeal_services.appeal_reject(actor=staff, appeal=f, reason="不属于社区事务")
    # G: dispatched, never signed; looked at after both its deadlines.
    g = _dispatched(world, new_appeal, clock, title="G")
    # H: dispatched at the end, deadlines still ahead: nothing is decided yet.
    look = g.complete_deadline + timedelta(hours=1)
    clock.at(look - timedelta(hours=2))
    _dispatched(world, new_appeal, clock, title="H")
    clock.at(look)

    facts = selectors.facts_in(community_ids=[world.community.pk], start=look.date() - timedelta(days=30), end=look.date())
    fig = selectors.appeal_figures(facts, now=look)

    assert fig["total"] == 8 and fig["rejected"] == 1 and fig["merged"] == 1 and fig["valid"] == 6  # A B C E G H
    # Signing decided: A, B, C, E (signed) and G (deadline passed); in time: A, C, E.
    assert fig["response"] == Rate(3, 5)
    # Resolution decided: A, B, C, E (resolved) and G (deadline passed); in time: A, B, E (C one second late).
    assert fig["on_time"] == Rate(3, 5)
    # Solved without reopening: A, B, E of the 6 valid (C was reopened).
    assert fig["solved"] == Rate(3, 6) and fig["solved"].percent == Decimal("50.0")
    # Done: A (closed), B, C (closed), E. Rated: A 5, C 4 → both satisfied; B and E unrated.
    assert fig["satisfied"] == Rate(2, 2) and fig["unrated"] == 2
    assert fig["revisited"] == Rate(1, 4)
    assert fig["levels"][Level.COMMUNITY] == Rate(1, 4) and fig["levels"][Level.GRID] == Rate(3, 4)
    assert fig["overdue"] == 1 and fig["sign_overdue"] == 1  # G
    assert fig["response"].percent == Decimal("60.0")
    # The street and district read the day summaries: the same figures, to the last digit.
    summed = selectors.summary_figures(
        community_ids=[world.community.pk], start=look.date() - timedelta(days=30), end=look.date(), now=look
    )
    assert summed == fig


def test_signing_a_minute_late_is_late_and_the_same_day_is_zero_working_days(world, new_appeal, clock):
    a = _dispatched(world, new_appeal, clock)
    clock.at(a.sign_deadline + timedelta(minutes=1))
    appeal_services.appeal_sign(actor=world.user("gridworker"), appeal=a)
    fact = AppealFact.objects.get(pk=a.pk)
    assert fact.signed_in_time is False
    assert fact.sign_workdays == (fact.signed_at.astimezone(SH).date() - a.created_at.astimezone(SH).date()).days

    b = _dispatched(world, new_appeal, clock)
    clock.at(b.created_at + timedelta(minutes=5))
    appeal_services.appeal_sign(actor=world.user("gridworker"), appeal=b)
    assert AppealFact.objects.get(pk=b.pk).sign_workdays == 0


def test_a_weekend_does_not_count_as_working_days(world, new_appeal, clock):
    clock.at(datetime(2025, 11, 21, 16, 0, tzinfo=SH))  # Friday
    a = _dispatched(world, new_appeal, clock)
    clock.at(datetime(2025, 11, 24, 9, 0, tzinfo=SH))  # Monday
    appeal_services.appeal_sign(actor=world.user("gridworker"), appeal=a)
    assert AppealFact.objects.get(pk=a.pk).sign_workdays == 1


def test_nothing_counted_is_no_rate_not_zero_percent(db):
    fig = selectors.appeal_figures(AppealFact.objects.none())
    assert fig["total"] == 0 and fig["response"].percent is None and fig["satisfied"].percent is None


def test_a_rolled_back_change_leaves_the_fact_as_it_was(world, new_appeal, clock):
    """The fact is written in the change's own transaction: if the caller's transaction rolls
    back after the signature, the fact is not signed either."""
    from django.db import transaction

    a = _dispatched(world, new_appeal, clock)

    class Abort(Exception):
        pass

    with pytest.raises(Abort), transaction.atomic():
        appeal_services.appeal_sign(actor=world.user("gridworker"), appeal=a)
        assert AppealFact.objects.get(pk=a.pk).signed_at is not None
        raise Abort
    assert AppealFact.objects.get(pk=a.pk).signed_at is None


def test_every_figure_has_a_definition():
    codes = {f.code for f in APPEAL_FIGURES}
    assert {"total", "valid", "response", "on_time", "solved", "satisfied", "revisited", "levels", "overdue", "sign_overdue"} <= codes
    assert all(str(f.definition) for f in APPEAL_FIGURES)


def test_the_docs_page_defines_every_figure():
    from pathlib import Path

    from django.utils import translation

    text = (Path(__file__).resolve().parents[2] / "docs" / "DASHBOARD.md").read_text(encoding="utf-8")
    with translation.override("zh-hans"):
        from linli.dashboard.definitions import WORK_FIGURES

        for f in [*APPEAL_FIGURES, *WORK_FIGURES]:
            assert f"| {f.name} (`{f.code}`) | {f.definition} |" in text, f.code


@pytest.mark.django_db(transaction=True)
def test_many_changes_on_one_day_at_once_leave_the_day_counted_right(world, new_appeal):
    """Appeals of one community and day changing at the same moment (PostgreSQL threads): the
    day's summary ends equal to a recount of its facts."""
    from django.db import connection

    from linli.dashboard.models import AppealDay
    from tests.conftest import race

    if connection.vendor != "postgresql":
        pytest.skip("concurrent transactions race only on PostgreSQL")
    staff = world.user("staff")
    appeals = [new_appeal(title=f"同时{i}") for i in range(8)]
    results = race(8, lambda i: appeal_services.appeal_accept(actor=staff, appeal=appeals[i]))
    assert results.count("ok") == 8
    results = race(8, lambda i: appeal_services.appeal_reject(actor=staff, appeal=appeals[i], reason="重复") if i % 2 else None)
    day = AppealDay.objects.get(community=world.community, day=AppealFact.objects.get(pk=appeals[0].pk).created_on)
    recount = selectors.static_counts(AppealFact.objects.filter(community=world.community, created_on=day.day))
    assert {k: getattr(day, k) for k in recount} == recount
    assert day.total == 8 and day.rejected == 4
