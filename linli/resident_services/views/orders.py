"""Home (the catalogue) and orders: ordering, an order's page and its actions (match, accept, deliver, confirm)."""

from __future__ import annotations

import uuid

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from linli.accounts.scope import scope_for
from linli.core import offers
from linli.core.errors import post_action
from linli.core.errors import query_params as _param
from linli.core.files import private_image
from linli.registry.models import Place
from linli.registry.vocabulary import own_resident
from linli.resident_services import access, forms, selectors, services
from linli.resident_services.models import Order, OrderPhoto, Provider


def _rerender(view, request, *args, **kw):
    return lambda: view(request, *args, **kw)


# ---- home ---------------------------------------------------------------------------------------------


@login_required
def home(request):
    """为民服务: the catalogue to order from, my orders and agency cases; a provider's orders to
    answer and to do; staff's desks."""
    scope = scope_for(request.user)
    community = access.service_community(scope, request.user)
    resident = own_resident(request.user)
    providers = access.provider_ids(scope, request.user)
    context = {
        "community": community,
        "services": selectors.services_for(community, resident) if community and resident else [],
        "orders": Paginator(selectors.my_orders(request.user), 10).get_page(request.GET.get("page")),
        "cases": selectors.case_rows(
            access.visible_cases(scope, request.user).filter(resident__household_id=getattr(resident, "household_id", 0))
        ),
        "inbox": selectors.provider_inbox(providers) if providers else None,
        "managed": access.managed_communities(scope),
        "figures_for": access.figure_communities(scope),
        "may_order_for_others": scope.has(access.ORDER_FOR_OTHERS),
        "carrying": selectors.case_rows(selectors.cases_carried_by(request.user)),
    }
    return render(request, "services/home.html", context)


# ---- orders -------------------------------------------------------------------------------------------


def _order_form_context(request):
    scope = scope_for(request.user)
    params = _param(forms.OrderParams, request)
    residents = access.order_residents(scope, request.user, params["resident"])
    resident = residents.filter(pk=params["resident"]).first() if params["resident"] else residents.first()
    if resident is None:
        raise Http404
    community = Place.objects.get(pk=resident.household.dwelling.community_id)
    appeal = None
    if params["appeal"]:
        from linli.appeals.access import visible_appeals

        appeal = visible_appeals(scope).filter(pk=params["appeal"]).first()
        if appeal is None or not access.can_manage(scope, community):
            raise Http404
    return residents, resident, community, appeal, params


@login_required
def order_new(request):
    """点单: a resident for their household, or an agent for a resident (?resident=)."""
    residents, resident, community, appeal, params = _order_form_context(request)
    catalogue = selectors.active_services(community.pk)
    initial = {"resident": resident.pk, "service": params["service"], "idempotency_key": uuid.uuid4().hex}
    if appeal is not None:
        initial["description"] = appeal.description[:1000]
    form = forms.OrderForm(request.POST or None, residents=residents, services=catalogue, initial=initial)

    def page():
        return render(request, "services/order_new.html", {"form": form, "resident": resident, "appeal": appeal, "community": community})

    if request.method != "POST":
        return page()
    channel = "appeal" if appeal is not None else None
    return post_action(
        request,
        form=form,
        call=lambda d: services.order_create(actor=request.user, channel=channel, source_appeal=appeal, **d)[0],
        success_url=lambda o: reverse("services:order", args=[o.pk]),
        rerender=page,
        ok=_("已点单，社区将尽快为您配单。"),
    )


def _access_order(request, pk) -> Order:
    order = (
        Order.objects.select_related("community", "service", "resident__household__dwelling", "place", "provider", "ordered_by")
        .filter(pk=pk)
        .first()
    )
    if order is None or not access.can_view_order(scope_for(request.user), request.user, order):
        raise Http404
    return order


def _order_page(request, order, status=200, forms_bound=None):
    scope = scope_for(request.user)
    actions = access.order_actions(scope, request.user, order)
    detail = selectors.order_detail(order)
    context = {
        "order": order,
        "actions": actions,
        "staff": access.can_manage(scope, order.community),
        "suggestions": selectors.suggestions(order) if "match" in actions else [],
        "page_offers": offers.offers(offers.ORDER_PAGE, scope=scope, user=request.user, order=order),
        "deliver_form": forms.DeliverForm(),
        "confirm_form": forms.ConfirmForm(),
        **detail,
        **(forms_bound or {}),
    }
    if "answer" in actions:
        context["answer_form"] = forms.AnswerForm(providers=Provider.objects.filter(pk__in=[p.pk for p in actions["answer"]]))
    return render(request, "services/order.html", context, status=status)


@login_required
def order(request, pk):
    return _order_page(request, _access_order(request, pk))


def _providers_for_answer(request):
    return Provider.objects.filter(pk__in=access.provider_ids(scope_for(request.user), request.user))


ORDER_ACTIONS = {
    "match": (
        lambda r, o: forms.MatchForm(r.POST, providers=Provider.objects.filter(community=o.community, active=True)),
        lambda r, o, d: services.order_match(actor=r.user, order=o, providers=d["providers"]),
        _("已派单。"),
    ),
    "accept": (
        lambda r, o: forms.AnswerForm(r.POST, providers=_providers_for_answer(r)),
        lambda r, o, d: services.order_accept(actor=r.user, order=o, provider=d["provider"]),
        _("已接单，请按时上门。"),
    ),
    "phone_accept": (
        lambda r, o: forms.PhoneAcceptForm(r.POST, providers=Provider.objects.filter(community=o.community, active=True)),
        lambda r, o, d: services.order_accept_by_phone(actor=r.user, order=o, provider=d["provider"], note=d["note"]),
        _("已记录电话接单，请服务方按时上门；上门后由您代为登记服务记录。"),
    ),
    "decline": (
        lambda r, o: forms.AnswerForm(r.POST, providers=_providers_for_answer(r)),
        lambda r, o, d: services.order_decline(actor=r.user, order=o, provider=d["provider"], reason=d["reason"]),
        _("已婉拒。"),
    ),
    "deliver": (
        lambda r, o: forms.DeliverForm(r.POST, r.FILES),
        lambda r, o, d: services.order_deliver(actor=r.user, order=o, note=d["note"], hours=d["hours"], photos=d["photos"] or []),
        _("服务记录已提交，等待居民确认。"),
    ),
    "confirm": (
        lambda r, o: forms.ConfirmForm(r.POST),
        lambda r, o, d: services.order_confirm(actor=r.user, order=o, rating=d["rating"], comment=d["comment"]),
        _("感谢您的评价。"),
    ),
    "cancel": (
        lambda r, o: forms.ReasonForm(r.POST),
        lambda r, o, d: services.order_cancel(actor=r.user, order=o, reason=d["reason"]),
        _("服务单已取消。"),
    ),
}


@login_required
@require_POST
def order_act(request, pk, action):
    if action not in ORDER_ACTIONS:
        raise Http404
    o = _access_order(request, pk)
    make_form, call, ok = ORDER_ACTIONS[action]
    form = make_form(request, o)
    return post_action(
        request,
        form=form,
        call=lambda d: call(request, o, d),
        success_url=reverse("services:order", args=[o.pk]),
        rerender=lambda: _order_page(request, o),
        ok=ok,
    )


@login_required
def order_photo(request, pk):
    """A visit photo, served through its order's permission (never as a /media/ file)."""
    photo = OrderPhoto.objects.select_related("order").filter(pk=pk).first()
    if photo is None or not access.can_see_photos(scope_for(request.user), request.user, photo.order):
        raise Http404
    return private_image(photo.image)
