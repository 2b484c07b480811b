"""The ledger under any sequence of earn, correct, redeem and expire: the running sums equal the
sum of the entries and never go below zero, whatever was refused on the way (hypothesis)."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Sum
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from linli.volunteers import services
from linli.volunteers.models import LedgerEntry, SignUp, Volunteer

steps = st.lists(
    st.one_of(
        st.tuples(st.just("earn"), st.integers(min_value=0, max_value=80)),  # tenths of an hour
        st.tuples(st.just("correct"), st.integers(min_value=0, max_value=80)),
        st.tuples(st.just("redeem"), st.integers(min_value=1, max_value=60)),  # points
        st.tuples(st.just("expire"), st.integers(min_value=0, max_value=0)),
    ),
    max_size=12,
)


def activity_community(vworld):
    return vworld.activity.community


@pytest.mark.django_db
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(ops=steps)
def test_any_sequence_keeps_sums_equal_and_non_negative(vworld, ops):
    with transaction.atomic():
        staff, volunteer = vworld.staff, vworld.v1
        services.policy_save(
            actor=staff,
            community=activity_community(vworld),
            points_per_hour=10,
            max_hours_per_activity=Decimal("8"),
            star_hours=[100],
            points_valid_months=12,
        )
        activity = vworld.activity
        type(activity).objects.filter(pk=activity.pk).update(
            starts_at=timezone.now() - timedelta(hours=9), ends_at=timezone.now() - timedelta(hours=1)
        )
        activity.refresh_from_db()
        signup = SignUp.objects.create(activity=activity, volunteer=volunteer)
        for op, n in ops:
            try:
                with transaction.atomic():
                    if op == "earn":
                        services._credit(signup=signup, activity=activity, actor=staff, hours=Decimal(n) / 10, reason="earn")
                    elif op == "correct":
                        services.hours_correct(actor=staff, signup=signup, hours=Decimal(n) / 10, reason="更正")
                    elif op == "redeem":
                        services._entry(volunteer_id=volunteer.pk, kind="redeem", points=-n, reason="redeem")
                    else:
                        services.points_expire(now=timezone.now() + timedelta(days=4000))
            except ValidationError:
                pass  # refused (not enough points): nothing written, checked below
            v = Volunteer.objects.get(pk=volunteer.pk)
            sums = LedgerEntry.objects.filter(volunteer=v).aggregate(h=Sum("hours"), p=Sum("points"))
            assert v.points == (sums["p"] or 0) >= 0
            assert v.hours == (sums["h"] or Decimal("0")) >= 0
        transaction.set_rollback(True)
