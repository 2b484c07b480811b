"""What grid work offers on other domains' pages: a patrol started from a compound's poster (the
report form the QR opens), on a grid's registry page its forces and its grid-work figures, and on
a service order the home visit it came from (the visit page links the order back)."""

from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from linli.core.offers import GRID_PAGE, ORDER_PAGE, REPORT_FORM, Offer, register_offer
from linli.gridwork import access
from linli.gridwork.models import Finding
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


def order_offers(*, scope, user, order):
    finding = (
        Finding.objects.filter(order=order, visit__in=access.visible_visits(scope, user)).select_related("visit").order_by("pk").first()
    )
    if finding is None:
        return []
    label = _("来自%(d)s的走访") % {"d": finding.visit.visited_at.strftime("%m-%d")}
    return [Offer("source_visit", label, reverse("gridwork:visit", args=[finding.visit_id]), css="button secondary")]


register_offer(REPORT_FORM, report_offers)
register_offer(ORDER_PAGE, order_offers)
register_offer(GRID_PAGE, grid_offers)
