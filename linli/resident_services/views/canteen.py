"""The canteen: menus, meal orders, the kitchen's list."""

from __future__ import annotations

from datetime import timedelta

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from linli.accounts.scope import scope_for
from linli.core.errors import post_action
from linli.core.errors import query_params as _param
from linli.registry.models import Resident
from linli.registry.selectors import community_or_404 as _community
from linli.registry.vocabulary import own_resident
from linli.resident_services import access, forms, selectors, services
from linli.resident_services.models import Meal, MealOrder
from linli.resident_services.views.desk import _managed


def _rerender(view, request, *args, **kw):
    return lambda: view(request, *args, **kw)


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
