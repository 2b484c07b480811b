"""Rooms and bookings."""

from __future__ import annotations

from datetime import datetime, timedelta

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
from linli.registry.selectors import community_or_404 as _community
from linli.resident_services import access, forms, selectors, services
from linli.resident_services.models import Booking, Room


def _rerender(view, request, *args, **kw):
    return lambda: view(request, *args, **kw)


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
