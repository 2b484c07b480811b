"""Who grid work tells (through ``core.notify``, in the caller's transaction): the grid leader
(网格长) when care households of the grid are overdue for a visit."""

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from linli.core.notify import notify
from linli.registry.vocabulary import grid_leaders_of


def visits_overdue(grid_id: int, targets) -> int:
    """One message to the grid's leader(s) naming the households (their addresses, never a
    resident's name or care tag in the text of an SMS-capable message)."""
    places = "、".join(t.household.dwelling.address or str(t.household.dwelling) for t in targets[:5])
    more = len(targets) - 5
    body = ngettext("%(n)s户关爱对象走访已超期：%(places)s", "%(n)s户关爱对象走访已超期：%(places)s", len(targets)) % {
        "n": len(targets),
        "places": places + (_("等") if more > 0 else ""),
    }
    return notify(grid_leaders_of(grid_id), subject=_("走访超期提醒"), body=body, link=reverse("gridwork:visits"))
