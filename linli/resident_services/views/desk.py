"""Staff's desk: orders to match, the catalogue, providers; the figures."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import BadRequest
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from linli.accounts.scope import scope_for
from linli.core.errors import post_action
from linli.core.errors import query_params as _param
from linli.registry.models import Organisation, Place, PlaceKind
from linli.registry.selectors import community_or_404 as _community
from linli.resident_services import access, forms, selectors, services
from linli.resident_services.models import OrderStatus, Provider, Room, Service


def _rerender(view, request, *args, **kw):
    return lambda: view(request, *args, **kw)


# ---- staff's desk: orders to match, the catalogue, providers, rooms ----------------------------------------


def _managed(request, community_pk) -> Place:
    community = _community(community_pk)
    if not access.can_manage(scope_for(request.user), community):
        raise Http404
    return community


def _desk_forms(community, data=None, action=""):
    providers = Provider.objects.filter(community=community)
    return {
        "service_form": forms.ServiceForm(
            data if action == "service" else None,
            services=Service.objects.filter(community=community),
            providers=providers.filter(active=True),
        ),
        "provider_form": forms.ProviderForm(
            data if action == "provider" else None,
            providers=providers,
            organisations=Organisation.objects.filter(place__path__startswith=community.path).order_by("kind", "name"),
            buildings=Place.objects.filter(path__startswith=community.path, kind=PlaceKind.BUILDING).order_by("path"),
        ),
        "room_form": forms.RoomForm(data if action == "room" else None, rooms=Room.objects.filter(community=community)),
    }


@login_required
def desk(request, community_pk, bound=None, status=200):
    """配单台: orders by state (flagged first to hand), the catalogue, providers with load and rating, rooms."""
    community = _managed(request, community_pk)
    params = _param(forms.DeskParams, request)
    orders = selectors.desk_orders(community, status=params["status"], flagged=params["flagged"])
    context = {
        "community": community,
        "params": params,
        "counts": selectors.status_counts(community),
        "page": Paginator(orders, 20).get_page(params["page"]),
        "catalogue": selectors.catalogue(community),
        "providers": selectors.providers(community),
        "rooms": selectors.rooms(community),
        "pending": selectors.pending_bookings(community),
        "statuses": OrderStatus.choices,
        **(bound or _desk_forms(community)),
    }
    return render(request, "services/desk.html", context, status=status)


DESK_ACTIONS = {
    "service": lambda u, c, d: services.service_save(
        actor=u, community=c, **{k: v for k, v in d.items() if k != "service"}, service=d["service"]
    ),
    "provider": lambda u, c, d: services.provider_save(
        actor=u, community=c, user=d.pop("username"), **{k: v for k, v in d.items() if k != "provider"}, provider=d["provider"]
    ),
    "room": lambda u, c, d: services.room_save(actor=u, community=c, **{k: v for k, v in d.items() if k != "room"}, room=d["room"]),
}


@login_required
@require_POST
def desk_act(request, community_pk, action):
    if action not in DESK_ACTIONS:
        raise Http404
    community = _managed(request, community_pk)
    bound = _desk_forms(community, request.POST, action)
    form = bound[f"{action}_form"]
    return post_action(
        request,
        form=form,
        call=lambda d: DESK_ACTIONS[action](request.user, community, dict(d)),
        success_url=reverse("services:desk", args=[community.pk]),
        rerender=lambda: desk(request, community.pk, bound=bound),
        ok=_("已保存。"),
    )


# ---- figures -----------------------------------------------------------------------------------------------


@login_required
def figures(request, community_pk):
    community = _community(community_pk)
    if not access.can_view_figures(scope_for(request.user), community):
        raise Http404
    params = _param(forms.PeriodParams, request)
    end = params["end"] or timezone.localdate()
    start = params["start"] or end.replace(day=1)
    if (end - start).days > 366:
        raise BadRequest("period longer than a year")
    return render(
        request,
        "services/figures.html",
        {"community": community, "start": start, "end": end, "f": selectors.figures(community, start, end)},
    )
