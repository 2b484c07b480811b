"""What volunteering's subjects share: a refused state, hours to the tenth, an activity's row lock."""

from __future__ import annotations

from decimal import Decimal

from django.core.exceptions import ValidationError

from linli.volunteers.models import Activity


class InvalidState(ValidationError):
    pass


TENTH = Decimal("0.1")


def _locked_activity(activity: Activity) -> Activity:
    return Activity.objects.select_for_update(of=("self",)).select_related("community", "team", "campaign").get(pk=activity.pk)
