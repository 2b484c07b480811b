"""值勤: the rota page — staff set posts and assign shifts for the week; whoever is on a shift
checks in and out from the same page on their phone."""

from __future__ import annotations

from datetime import timedelta

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from linli.accounts.scope import scope_for
from linli.core.errors import post_action
from linli.registry.models import Place, PlaceKind
from linli.volunteers import access, forms, services
from linli.volunteers.models import DutyPost, DutyShift


def _forms(community, data=None):
    posts = DutyPost.objects.filter(community=community, active=True).select_related("compound").order_by("compound__path", "name")
    compounds = Place.objects.filter(kind=PlaceKind.COMPOUND, community_id=community.pk).order_by("path")
    return (
        forms.DutyPostForm(data if data and data.get("form") == "post" else None, compounds=compounds),
        forms.DutyShiftForm(data if data and data.get("form") == "shift" else None, posts=posts, people=access.duty_people(community)),
    )


def _page(request, community=None, post_form=None, shift_form=None):
    scope = scope_for(request.user)
    today = timezone.localdate()
    mine = access.visible_shifts(scope, request.user).filter(person=request.user, ends_at__gte=timezone.now() - timedelta(hours=2))
    context = {"mine": mine.select_related("post__compound")[:20], "community": community, "now": timezone.now()}
    if community is not None:
        default_post, default_shift = _forms(community)
        week = DutyShift.objects.filter(
            post__community=community, starts_at__date__gte=today - timedelta(days=7), starts_at__date__lt=today + timedelta(days=7)
        ).select_related("post__compound", "person")
        context.update(
            week=week,
            posts=DutyPost.objects.filter(community=community).select_related("compound").order_by("compound__path", "name"),
            post_form=post_form or default_post,
            shift_form=shift_form or default_shift,
        )
    return render(request, "volunteers/duty.html", context)


@login_required
def duty(request):
    """My shifts (and, for the community's staff, the week's rota)."""
    scope = scope_for(request.user)
    managed = access.managed_communities(scope)
    community = managed.first() if scope.has(access.MANAGE_VOLUNTEERS) else None
    if community is None and not request.user.duty_shifts.exists():
        raise Http404
    return _page(request, community)


@login_required
@require_POST
def duty_manage(request, community_pk):
    scope = scope_for(request.user)
    community = get_object_or_404(access.managed_communities(scope), pk=community_pk)
    post_form, shift_form = _forms(community, request.POST)
    if request.POST.get("form") == "post":
        return post_action(
            request,
            form=post_form,
            call=lambda d: services.duty_post_create(actor=request.user, **d),
            success_url=reverse("volunteers:duty"),
            rerender=lambda: _page(request, community, post_form=post_form),
            ok=_("值勤岗已设立。"),
        )
    if request.POST.get("form") == "shift":
        return post_action(
            request,
            form=shift_form,
            call=lambda d: services.duty_shift_assign(actor=request.user, **d),
            success_url=reverse("volunteers:duty"),
            rerender=lambda: _page(request, community, shift_form=shift_form),
            ok=_("已排班，值勤人可在“我的值勤”签到。"),
        )
    raise Http404


DUTY_ACTIONS = {
    "check_in": (services.duty_check_in, _("已签到，值勤开始。")),
    "check_out": (services.duty_check_out, _("已签退。值勤时长已记录，志愿者时长计入服务记录。")),
}


@login_required
@require_POST
def duty_act(request, pk, action):
    if action not in DUTY_ACTIONS:
        raise Http404
    shift = get_object_or_404(access.visible_shifts(scope_for(request.user), request.user).select_related("post"), pk=pk)
    call, ok = DUTY_ACTIONS[action]
    return post_action(
        request,
        form=forms.EmptyForm(request.POST),
        call=lambda d: call(actor=request.user, shift=shift),
        success_url=reverse("volunteers:duty"),
        rerender=lambda: _page(request),
        ok=ok,
    )
