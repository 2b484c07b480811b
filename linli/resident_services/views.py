"""Thin views over service selectors and services. Every post goes through a form (shape) and a
service (rules); an invalid post re-renders its page with the reasons and status 400; whatever a
person may not open is a 404, the same as what does not exist."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta

from django.contrib.auth.decorators import login_required
from django.core.exceptions import BadRequest
from django.core.paginator import Paginator
from django.http import FileResponse, Http404
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from linli.accounts.scope import scope_for
from linli.core.errors import post_action
from linli.core.errors import query_params as _param
from linli.registry.models import Organisation, Place, PlaceKind, Resident
from linli.registry.selectors import community_or_404 as _community
from linli.registry.vocabulary import own_resident
from linli.resident_services import access, forms, selectors, services
from linli.resident_services.models import AgencyCase, Booking, Meal, MealOrder, Order, OrderPhoto, OrderStatus, Provider, Room, Service
from linli.resident_services.services import MATTERS


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
    "decline": (
        lambda r, o: forms.AnswerForm(r.POST, providers=_providers_for_answer(r)),
        lambda r, o, d: services.order_decline(actor=r.user, order=o, provider=d["provider"], reason=d["reason"]),
        _("已婉拒。"),
    ),
    "deliver": (
        lambda r, o: forms.DeliverForm(r.POST, r.FILES),
        lambda r, o, d: services.order_deliver(actor=r.user, order=o, note=d["note"], photos=d["photos"] or []),
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
    return FileResponse(photo.image.open("rb"), content_type="image/png" if photo.image.name.endswith(".png") else "image/jpeg")


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


# ---- agency cases -------------------------------------------------------------------------------------------


@login_required
def case_new(request):
    """受理代办 for a resident (?resident=, from the resident's page, a visit or an order)."""
    scope = scope_for(request.user)
    params = _param(forms.OrderParams, request)
    residents = access.case_residents(scope).filter(pk=params["resident"] or 0).select_related("household__dwelling")
    resident = residents.first()
    if resident is None:
        raise Http404
    form = forms.CaseForm(request.POST or None, residents=residents, initial={"resident": resident.pk})

    def page():
        return render(request, "services/case_new.html", {"form": form, "matters": MATTERS, "resident": resident})

    if request.method != "POST":
        return page()
    return post_action(
        request,
        form=form,
        call=lambda d: services.case_open(actor=request.user, **d),
        success_url=lambda c: reverse("services:case", args=[c.pk]),
        rerender=page,
        ok=_("已受理，办理环节和材料清单已按事项生成。"),
    )


def _access_case(request, pk) -> AgencyCase:
    case = AgencyCase.objects.select_related("community", "resident__household__dwelling", "agent", "opened_by").filter(pk=pk).first()
    if case is None or not access.can_view_case(scope_for(request.user), request.user, case):
        raise Http404
    return case


def _case_page(request, case, status=200):
    scope = scope_for(request.user)
    return render(
        request,
        "services/case.html",
        {
            "case": case,
            "carry": access.can_carry(scope, request.user, case),
            "step_form": forms.StepAddForm(),
            **selectors.case_detail(case),
        },
        status=status,
    )


@login_required
def case(request, pk):
    return _case_page(request, _access_case(request, pk))


CASE_ACTIONS = {
    "step_done": (
        lambda r, c: forms.StepDoneForm(r.POST, steps=c.steps.all()),
        lambda r, c, d: services.case_step_done(actor=r.user, case=c, step=d["step"], note=d["note"]),
    ),
    "step_add": (lambda r, c: forms.StepAddForm(r.POST), lambda r, c, d: services.case_step_add(actor=r.user, case=c, **d)),
    "receive": (
        lambda r, c: forms.DocumentForm(r.POST, documents=c.documents.all()),
        lambda r, c, d: services.case_document(actor=r.user, case=c, document=d["document"], action="receive"),
    ),
    "return": (
        lambda r, c: forms.DocumentForm(r.POST, documents=c.documents.all()),
        lambda r, c, d: services.case_document(actor=r.user, case=c, document=d["document"], action="return"),
    ),
    "close": (lambda r, c: forms.CloseForm(r.POST), lambda r, c, d: services.case_close(actor=r.user, case=c, outcome=d["outcome"])),
    "cancel": (
        lambda r, c: forms.CloseForm(r.POST),
        lambda r, c, d: services.case_close(actor=r.user, case=c, outcome=d["outcome"], cancelled=True),
    ),
}


@login_required
@require_POST
def case_act(request, pk, action):
    if action not in CASE_ACTIONS:
        raise Http404
    c = _access_case(request, pk)
    make_form, call = CASE_ACTIONS[action]
    return post_action(
        request,
        form=make_form(request, c),
        call=lambda d: call(request, c, d),
        success_url=reverse("services:case", args=[c.pk]),
        rerender=lambda: _case_page(request, c),
        ok=_("已登记。"),
    )


# ---- the canteen --------------------------------------------------------------------------------------------


def _diners(request):
    """Whom this person orders meals for: their household (agents use the kitchen page)."""
    own = own_resident(request.user)
    if own is None:
        return Resident.objects.none()
    return Resident.objects.filter(household_id=own.household_id, is_active=True).order_by("pk")


@login_required
def canteen(request, bound=None, status=200):
    """社区食堂: this week's menus with places left, order before the cut-off, my orders."""
    scope = scope_for(request.user)
    params = _param(forms.DayParams, request)
    community = _community(params["community"]) if params["community"] else access.service_community(scope, request.user)
    place = selectors.canteen_of(community) if community else None
    if place is None:
        raise Http404
    today = timezone.localdate()
    start = max(params["start"] or today, today - timedelta(days=31))
    context = {
        "canteen": place,
        "meals": selectors.week_meals(place, start),
        "start": start,
        "prev": start - timedelta(days=7),
        "next": start + timedelta(days=7),
        "mine": selectors.my_meal_orders(request.user, since=today)[:30],
        "order_form": (bound or {}).get("order_form") or forms.MealOrderForm(residents=_diners(request)),
        "may_order": own_resident(request.user) is not None,
        "manage": access.can_manage(scope, place.community),
    }
    return render(request, "services/canteen.html", context, status=status)


def _own(request):
    own = own_resident(request.user)
    if own is None:
        raise Http404
    return own


@login_required
@require_POST
def meal_order(request, pk):
    meal = Meal.objects.select_related("canteen__community").filter(pk=pk).first()
    if meal is None:
        raise Http404
    form = forms.MealOrderForm(request.POST, residents=_diners(request))
    return post_action(
        request,
        form=form,
        call=lambda d: services.meal_order(
            actor=request.user, meal=meal, resident=d["resident"] or _own(request), quantity=d["quantity"], delivery=d["delivery"]
        )[0],
        success_url=f"{reverse('services:canteen')}?community={meal.canteen.community_id}",
        rerender=lambda: canteen(request, bound={"order_form": form}),
        ok=_("订餐成功。"),
    )


@login_required
@require_POST
def meal_cancel(request, pk):
    mo = MealOrder.objects.select_related("meal__canteen__community", "resident").filter(pk=pk).first()
    if mo is None:
        raise Http404
    return post_action(
        request,
        form=forms.OptionalReasonForm(request.POST),
        call=lambda d: services.meal_order_cancel(actor=request.user, meal_order=mo),
        success_url=reverse("services:canteen"),
        rerender=lambda: canteen(request),
        ok=_("已取消订餐。"),
    )


@login_required
def kitchen(request, community_pk, bound=None, status=200):
    """The canteen's desk: publish menus, the day's diners and delivery list, served."""
    community = _managed(request, community_pk)
    place = selectors.canteen_of(community)
    if place is None:
        raise Http404
    params = _param(forms.DayParams, request)
    day = params["start"] or timezone.localdate()
    meals = selectors.week_meals(place, day, days=1)
    context = {
        "community": community,
        "canteen": place,
        "day": day,
        "prev": day - timedelta(days=1),
        "next": day + timedelta(days=1),
        "meals": [(m, list(selectors.meal_orders(m))) for m in meals],
        "week": selectors.week_meals(place, day),
        "diners": selectors.diners_per_day(place, day - timedelta(days=6), day),
        "meal_form": (bound or {}).get("meal_form") or forms.MealForm(initial={"date": day + timedelta(days=1)}),
    }
    return render(request, "services/kitchen.html", context, status=status)


@login_required
@require_POST
def kitchen_act(request, community_pk, action):
    community = _managed(request, community_pk)
    place = selectors.canteen_of(community)
    if place is None or action not in ("menu", "serve"):
        raise Http404
    if action == "menu":
        form = forms.MealForm(request.POST)
        call = lambda d: services.meal_publish(actor=request.user, canteen=place, **d)  # noqa: E731
    else:
        form = forms.ServeForm(request.POST, meals=place.meals.all())
        call = lambda d: services.meal_serve(actor=request.user, meal=d["meal"])  # noqa: E731
    return post_action(
        request,
        form=form,
        call=call,
        success_url=reverse("services:kitchen", args=[community.pk]),
        rerender=lambda: kitchen(request, community.pk, bound={"meal_form": form} if action == "menu" else None),
        ok=_("已保存。"),
    )


# ---- rooms -------------------------------------------------------------------------------------------------


@login_required
def rooms(request):
    scope = scope_for(request.user)
    params = _param(forms.DayParams, request)
    community = _community(params["community"]) if params["community"] else access.service_community(scope, request.user)
    if community is None:
        raise Http404
    return render(
        request,
        "services/rooms.html",
        {"community": community, "rooms": selectors.rooms(community).filter(active=True), "mine": selectors.my_bookings(request.user)[:20]},
    )


def _booking_form(request, room, data=None):
    scope = scope_for(request.user)
    from linli.councils.models import Council

    councils = access.councils_for_booking(scope, request.user, room.community)
    return forms.BookingForm(
        data,
        organisations=access.booking_organisations(scope),
        councils=Council.objects.filter(pk__in=[c.pk for c in councils]),
        initial={"date": timezone.localdate() + timedelta(days=1)},
    )


@login_required
def room(request, pk):
    """A room's week and the booking form."""
    r = Room.objects.select_related("community").filter(pk=pk).first()
    if r is None or not request.user.is_authenticated:
        raise Http404
    scope = scope_for(request.user)
    params = _param(forms.DayParams, request)
    start = params["start"] or timezone.localdate()
    form = _booking_form(request, r)
    if request.method == "POST":
        form = _booking_form(request, r, request.POST)
        tz = timezone.get_current_timezone()

        def call(d):
            return services.room_book(
                actor=request.user,
                room=r,
                starts_at=datetime.combine(d["date"], d["starts"], tzinfo=tz),
                ends_at=datetime.combine(d["date"], d["ends"], tzinfo=tz),
                purpose=d["purpose"],
                attendees=d["attendees"],
                organisation=d["organisation"],
                council=d["council"],
            )

        return post_action(
            request,
            form=form,
            call=call,
            success_url=reverse("services:room", args=[r.pk]),
            rerender=lambda: room_page(request, r, form, start, scope),
            ok=_("预约已提交。") if r.needs_approval else _("预约成功。"),
        )
    return room_page(request, r, form, start, scope)


def room_page(request, r, form, start, scope, status=200):
    schedule = selectors.room_schedule(r, start)
    manage = access.can_manage(scope, r.community)
    for day in schedule:
        for b in day["bookings"]:
            b.may_cancel = access.can_cancel_booking(scope, request.user, b)
            b.may_decide = access.can_decide_booking(scope, b)
            b.shown_to = manage or b.booked_by_id == request.user.pk
    return render(
        request,
        "services/room.html",
        {
            "room": r,
            "schedule": schedule,
            "start": start,
            "prev": start - timedelta(days=7),
            "next": start + timedelta(days=7),
            "form": form,
            "may_book": access.can_book(scope, request.user, r),
            "manage": manage,
            "weekdays": [str(label) for n, label in forms.WEEKDAYS if n in r.open_weekdays],
        },
        status=status,
    )


BOOKING_ACTIONS = {
    "approve": lambda u, b, d: services.booking_decide(actor=u, booking=b, approve=True, reason=d["reason"]),
    "reject": lambda u, b, d: services.booking_decide(actor=u, booking=b, approve=False, reason=d["reason"]),
    "cancel": lambda u, b, d: services.booking_cancel(actor=u, booking=b, reason=d["reason"]),
}


@login_required
@require_POST
def booking_act(request, pk, action):
    if action not in BOOKING_ACTIONS:
        raise Http404
    b = Booking.objects.select_related("room__community").filter(pk=pk).first()
    scope = scope_for(request.user)
    if b is None or not (b.booked_by_id == request.user.pk or access.can_manage(scope, b.room.community)):
        raise Http404
    return post_action(
        request,
        form=forms.OptionalReasonForm(request.POST),
        call=lambda d: BOOKING_ACTIONS[action](request.user, b, d),
        success_url=reverse("services:room", args=[b.room_id]),
        rerender=lambda: room_page(request, b.room, _booking_form(request, b.room), timezone.localdate(), scope),
        ok=_("已处理。"),
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
