"""The volunteer's own pages: my card, registration, the ledger, the certificate."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from linli.accounts.scope import scope_for
from linli.core.errors import post_action
from linli.registry.models import Place
from linli.volunteers import access, forms, selectors, services
from linli.volunteers.models import (
    Volunteer,
)

# ---- the volunteer's own pages ----------------------------------------------------------------------


def _activity_community(user, volunteer) -> Place | None:
    """Whose activities to show: one's own community, else the first one managed."""
    if volunteer is not None:
        return volunteer.community
    return access.home_community_for_volunteering(user) or access.managed_communities(scope_for(user)).first()


@login_required
def home(request):
    """我的志愿服务: my card (hours, points, stars), my activities, or the way to register."""
    scope = scope_for(request.user)
    volunteer = access.volunteer_of(request.user)
    context = {
        "volunteer": volunteer,
        "may_register": access.can_register(request.user),
        "managed": access.managed_communities(scope),
        "figures_for": access.figure_communities(scope),
        "merchant_desk": bool(access.merchant_ids(scope)),
        "buyer": access.buyer_units(scope).exists(),
        "leads": access.led_teams(request.user),
        "may_publish": access.may_publish_somewhere(scope, request.user),
        "activity_community": _activity_community(request.user, volunteer),
    }
    if volunteer is not None:
        policy = selectors.policy(volunteer.community)
        context.update(
            stars=selectors.star_level(volunteer.hours, policy.star_hours),
            signups=Paginator(selectors.my_signups(volunteer), 10).get_page(request.GET.get("page")),
            teams=volunteer.memberships.select_related("team"),
            year_hours=selectors.year_hours(volunteer, timezone.localdate().year),
        )
    return render(request, "volunteers/home.html", context)


def _register_page(request, form, community):
    return render(request, "volunteers/register.html", {"form": form, "community": community})


@login_required
def register(request):
    if access.volunteer_of(request.user) is not None:
        return redirect("volunteers:home")
    community = access.home_community_for_volunteering(request.user)
    if community is None:
        raise Http404
    form = forms.RegisterForm(request.POST or None, teams=selectors.community_teams(community))
    if request.method != "POST":
        return _register_page(request, form, community)
    return post_action(
        request,
        form=form,
        call=lambda d: services.volunteer_register(actor=request.user, **d),
        success_url=reverse("volunteers:home"),
        rerender=lambda: _register_page(request, form, community),
        ok=_("已提交，社区审核后即可报名活动。"),
    )


@login_required
def ledger(request):
    volunteer = access.volunteer_of(request.user)
    if volunteer is None:
        raise Http404
    page = Paginator(selectors.ledger(volunteer), 30).get_page(request.GET.get("page"))
    return render(request, "volunteers/ledger.html", {"volunteer": volunteer, "page": page})


def _access_volunteer(request, pk) -> Volunteer:
    volunteer = Volunteer.objects.select_related("community", "user").filter(pk=pk).first()
    if volunteer is None or not access.can_see_volunteer(scope_for(request.user), request.user, volunteer):
        raise Http404
    return volunteer


@login_required
def certificate(request, pk):
    """志愿服务证明: a printable A4 page of the hours served, activity by activity."""
    volunteer = _access_volunteer(request, pk)
    policy = selectors.policy(volunteer.community)
    return render(
        request,
        "volunteers/certificate.html",
        {
            "volunteer": volunteer,
            "record": selectors.service_record(volunteer),
            "stars": selectors.star_level(volunteer.hours, policy.star_hours),
            "today": timezone.localdate(),
        },
    )
