"""Thin views over wish selectors and services."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from linli.accounts.scope import Capability, scope_for
from linli.registry.models import Place, PlaceKind
from linli.wishes import selectors, services
from linli.wishes.models import Campaign, Wish, WishStatus


def _visible(user, wish: Wish) -> bool:
    """Staff and grid workers in scope, the resident, the claimer; anyone may see wall items."""
    return (
        wish.status in (WishStatus.OPEN, WishStatus.CLAIMED, WishStatus.FULFILLED, WishStatus.CONFIRMED)
        or user.resident_id == wish.resident_id
        or wish.posted_by_id == user.pk
        or scope_for(user).can(Capability.DISPATCH_APPEALS, wish.community)
    )


def wall(request, community_pk):
    community = get_object_or_404(Place, pk=community_pk, kind=PlaceKind.COMMUNITY)
    return render(request, "wishes/wall.html", {"community": community, "wishes": selectors.wall(community)})


@login_required
def post(request):
    """A resident posts their own wish; a grid worker or staff posts for ?resident=<id> in scope."""
    resident = request.user.resident
    if request.GET.get("resident") or request.POST.get("resident"):
        scope = scope_for(request.user)
        resident = (
            scope.residents(capability=Capability.REPORT_FOR_OTHERS)
            .filter(pk=request.GET.get("resident") or request.POST.get("resident"))
            .first()
        )
    if resident is None:
        raise Http404
    if request.method == "POST":
        try:
            wish = services.wish_post(
                actor=request.user,
                resident=resident,
                kind=request.POST.get("kind", ""),
                title=request.POST.get("title", ""),
                description=request.POST.get("description", ""),
                campaign=Campaign.objects.filter(pk=request.POST.get("campaign") or 0).first(),
            )
        except PermissionDenied:
            raise Http404 from None
        except ValidationError as e:
            messages.error(request, "；".join(e.messages))
        else:
            messages.success(request, _("心愿已提交，社区审核后会出现在心愿墙上。"))
            return redirect("wishes:detail", pk=wish.pk)
    today = timezone.localdate()
    campaigns = Campaign.objects.filter(community_id=resident.household.dwelling.community_id, starts_on__lte=today, ends_on__gte=today)
    return render(
        request,
        "wishes/post.html",
        {"resident": resident, "kinds": Wish.Kind.choices, "campaigns": campaigns, "on_behalf": resident.pk != request.user.resident_id},
    )


@login_required
def detail(request, pk):
    wish = get_object_or_404(Wish.objects.select_related("compound", "claimed_by", "claimed_for"), pk=pk)
    if not _visible(request.user, wish):
        raise Http404
    staff = scope_for(request.user).can(Capability.DISPATCH_APPEALS, wish.community)
    return render(
        request,
        "wishes/detail.html",
        {
            "wish": wish,
            "staff": staff,
            "may_claim": wish.can("claim") and services.may_claim(request.user, wish),
            "is_claimer": wish.claimed_by_id == request.user.pk,
            "may_confirm": wish.can("confirm") and (request.user.resident_id == wish.resident_id or staff),
            "orgs": scope_for(request.user).organisation_ids,
        },
    )


@login_required
@require_POST
def act(request, pk, action):
    wish = get_object_or_404(Wish, pk=pk)
    if not _visible(request.user, wish):
        raise Http404
    u, p = request.user, request.POST
    calls = {
        "approve": lambda: services.wish_approve(actor=u, wish=wish),
        "reject": lambda: services.wish_reject(actor=u, wish=wish, reason=p.get("reason", "")),
        "claim": lambda: services.wish_claim(actor=u, wish=wish),
        "release": lambda: services.wish_release(actor=u, wish=wish, note=p.get("note", "")),
        "fulfil": lambda: services.wish_fulfil(actor=u, wish=wish, photo=request.FILES.get("photo")),
        "confirm": lambda: services.wish_confirm(actor=u, wish=wish),
        "withdraw": lambda: services.wish_withdraw(actor=u, wish=wish),
    }
    if action not in calls:
        raise Http404
    try:
        calls[action]()
    except PermissionDenied:
        raise Http404 from None
    except ValidationError as e:
        messages.error(request, "；".join(e.messages))
    else:
        messages.success(request, _("已完成。"))
    return redirect("wishes:detail", pk=wish.pk)


@login_required
def mine(request):
    own = Wish.objects.filter(resident_id=request.user.resident_id).order_by("-created_at") if request.user.resident_id else []
    return render(
        request,
        "wishes/mine.html",
        {
            "claims": selectors.my_claims(request.user),
            "own": own,
            "communities": scope_for(request.user).communities(Capability.DISPATCH_APPEALS),
        },
    )


@login_required
def review(request, community_pk):
    community = get_object_or_404(Place, pk=community_pk, kind=PlaceKind.COMMUNITY)
    if not scope_for(request.user).can(Capability.DISPATCH_APPEALS, community):
        raise Http404
    pending = Wish.objects.filter(community=community, status=WishStatus.PENDING).select_related("resident", "compound")
    campaigns = [(c, selectors.stats(community, campaign=c)) for c in Campaign.objects.filter(community=community)[:5]]
    return render(
        request,
        "wishes/review.html",
        {"community": community, "pending": pending, "stats": selectors.stats(community), "campaigns": campaigns},
    )
