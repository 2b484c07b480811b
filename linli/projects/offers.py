"""What projects offer on other domains' pages: 立项实施 on an adopted resolution (once)."""

from django.urls import reverse
from django.utils.translation import gettext as _

from linli.core.offers import RESOLUTION, Offer, register_offer
from linli.projects import access


def resolution_offers(*, scope, user, topic, resolution):
    if not access.can_start_from_resolution(scope, resolution):
        return []
    url = reverse("projects:new", args=[topic.council.community_id]) + f"?resolution={resolution.pk}"
    return [Offer("start_project", _("立项实施"), url, css="button")]


register_offer(RESOLUTION, resolution_offers)
