"""What grid work offers on other domains' pages: a patrol started from a compound's poster (the
report form the QR opens), and on a grid's registry page its forces and its grid-work figures."""

from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from linli.core.offers import GRID_PAGE, REPORT_FORM, Offer, register_offer
from linli.gridwork import access
from linli.registry.models import PlaceKind
from linli.registry.vocabulary import ancestor_at


def report_offers(*, scope, user, place, qr=False):
    if not access.can_patrol(scope):
        return []
    compound = ancestor_at(place, PlaceKind.COMPOUND)
    if compound is None or access.patrol_grid_for(scope, compound) is None:
        return []
    query = {"place": compound.pk, **({"qr": 1} if qr else {})}
    label = _("在%(c)s开始巡查") % {"c": compound.name}
    return [Offer("patrol_start", label, reverse("gridwork:patrol_start") + "?" + urlencode(query), css="button wide")]


def grid_offers(*, scope, user, grid):
    out = []
    if access.can_manage_structure(scope, grid.community):
        out.append(Offer("grid_forces", _("网格力量"), reverse("gridwork:forces", args=[grid.pk])))
    if access.can_view_grid(scope, grid):
        out.append(Offer("grid_work", _("网格工作情况"), reverse("gridwork:grid", args=[grid.pk])))
    return out


register_offer(REPORT_FORM, report_offers)
register_offer(GRID_PAGE, grid_offers)
