"""What 为民服务 offers on other domains' pages: an appeal turned into a service order, and on a
resident's page an order placed or an agency case opened for them."""

from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from linli.core.offers import APPEAL_PAGE, RESIDENT_PAGE, Offer, register_offer
from linli.resident_services import access


def appeal_offers(*, scope, user, appeal):
    resident = access.appeal_order_resident(scope, appeal)
    if resident is None:
        return []
    url = reverse("services:order_new") + "?" + urlencode({"resident": resident.pk, "appeal": appeal.pk})
    return [Offer("service_order", _("转为服务单"), url)]


def resident_offers(*, scope, user, resident):
    links = access.resident_links(scope, user, resident)
    out = []
    if links["order"]:
        out.append(Offer("service_order", _("代为点单"), reverse("services:order_new") + f"?resident={resident.pk}"))
    if links["case"]:
        out.append(Offer("agency_case", _("受理全程代办"), reverse("services:case_new") + f"?resident={resident.pk}"))
    return out


register_offer(APPEAL_PAGE, appeal_offers)
register_offer(RESIDENT_PAGE, resident_offers)
