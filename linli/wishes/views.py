"""Thin views over wish selectors and services. Every post goes through a form (shape) and a
service (rules); an invalid post re-renders its page with the reasons and status 400."""

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from linli.accounts.scope import scope_for
from linli.core.errors import post_action
from linli.core.files import private_image
from linli.registry.access import communities as registry_communities
from linli.registry.models import Place, PlaceKind
from linli.wishes import access, forms, selectors, services
from linli.wishes.models import Wish, WishCampaign, WishStatus


def wall(request, community_pk):
    from django.core.paginator import Paginator

    community = get_object_or_404(Place, pk=community_pk, kind=PlaceKind.COMMUNITY)
    page = Paginator(selectors.wall(community), 30).get_page(request.GET.get("page"))
    return render(request, "wishes/wall.html", {"community": community, "wishes": page, "page": page})


def _resident_for_post(request):
    """Oneself, or ?resident=<id> among the residents this user may post for."""
    param = forms.ResidentParam(request.GET if request.method == "GET" else request.POST)
    if not param.is_valid():
        raise Http404
    resident_id = param.cleaned_data["resident"]
    if not resident_id:
        return request.user.resident if request.user.resident_id else None
    return access.residents_postable_for(scope_for(request.user)).filter(pk=resident_id).select_related("household__dwelling").first()


def _post_page(request, resident, form):
    return render(
        request,
        "wishes/post.html",
        {"resident": resident, "form": form, "on_behalf": resident.pk != request.user.resident_id},
    )


@login_required
def post(request):
    """A resident posts their own wish; a grid worker or staff posts for ?resident=<id> in scope."""
    resident = _resident_for_post(request)
    if resident is None:
        raise Http404
    today = timezone.localdate()
    campaigns = WishCampaign.objects.filter(community_id=resident.household.dwelling.community_id, starts_on__lte=today, ends_on__gte=today)
    form = forms.WishPostForm(request.POST or None, campaigns=campaigns, initial={"campaign": campaigns.first()})
    if request.method != "POST":
        return _post_page(request, resident, form)
    return post_action(
        request,
        form=form,
        call=lambda d: services.wish_post(actor=request.user, resident=resident, **d),
        success_url=lambda wish: reverse("wishes:detail", args=[wish.pk]),
        rerender=lambda: _post_page(request, resident, form),
        ok=_("心愿已提交，社区审核后会出现在心愿墙上。"),
    )


def _access_wish(request, pk) -> Wish:
    try:
        wish = Wish.objects.select_related("compound", "community", "claimed_by", "claimed_for").get(pk=pk)
    except (Wish.DoesNotExist, ValueError, OverflowError):
        raise Http404 from None
    if not access.can_view(scope_for(request.user), request.user, wish):
        raise Http404
    return wish


def _detail_page(request, wish):
    scope = scope_for(request.user)
    allowed = access.allowed_actions(scope, request.user, wish)
    return render(
        request,
        "wishes/detail.html",
        {
            "wish": wish,
            "actions": allowed,
            "full": access.can_see_full(scope, request.user, wish),
            "claim_for": access.claimable_organisations(scope, wish) if "claim" in allowed else [],
        },
    )


@login_required
def detail(request, pk):
    return _detail_page(request, _access_wish(request, pk))


@login_required
def proof(request, pk):
    """The fulfilment photo, served through the wish's permission (never as a /media/ file)."""
    wish = _access_wish(request, pk)
    if not wish.proof or not access.can_see_full(scope_for(request.user), request.user, wish):
        raise Http404
    return private_image(wish.proof)


ACTIONS = {
    "approve": (forms.NoteForm, lambda u, w, d, r: services.wish_approve(actor=u, wish=w)),
    "reject": (forms.ReasonForm, lambda u, w, d, r: services.wish_reject(actor=u, wish=w, reason=d["reason"])),
    "claim": (forms.ClaimForm, lambda u, w, d, r: services.wish_claim(actor=u, wish=w, organisation=d["organisation"])),
    "release": (forms.NoteForm, lambda u, w, d, r: services.wish_release(actor=u, wish=w, note=d["note"])),
    "fulfil": (forms.ProofForm, lambda u, w, d, r: services.wish_fulfil(actor=u, wish=w, photo=d["photo"])),
    "confirm": (forms.NoteForm, lambda u, w, d, r: services.wish_confirm(actor=u, wish=w)),
    "withdraw": (forms.NoteForm, lambda u, w, d, r: services.wish_withdraw(actor=u, wish=w)),
}


@login_required
@require_POST
def act(request, pk, action):
    wish = _access_wish(request, pk)
    if action not in ACTIONS:
        raise Http404
    form_class, call = ACTIONS[action]
    if form_class is forms.ClaimForm:
        form = form_class(request.POST, organisations=access.claimable_organisations(scope_for(request.user), wish))
    elif form_class is forms.ProofForm:
        form = form_class(request.POST, request.FILES)
    else:
        form = form_class(request.POST)
    return post_action(
        request,
        form=form,
        call=lambda d: call(request.user, wish, d, request),
        success_url=reverse("wishes:detail", args=[wish.pk]),
        rerender=lambda: _detail_page(request, wish),
    )


@login_required
def mine(request):
    from django.core.paginator import Paginator

    scope = scope_for(request.user)
    own = (
        Wish.objects.filter(resident_id=request.user.resident_id).order_by("-created_at")
        if request.user.resident_id
        else Wish.objects.none()
    )
    return render(
        request,
        "wishes/mine.html",
        {
            "claims": Paginator(selectors.my_claims(request.user), 20).get_page(request.GET.get("claims")),
            "own": Paginator(own, 20).get_page(request.GET.get("page")),
            "page": None,
            "communities": registry_communities(scope, access.REVIEW_WISHES),
            "claimer": access.may_claim_somewhere(scope, request.user),
            "wall_community": request.user.resident.household.dwelling.community_id if request.user.resident_id else None,
        },
    )


@login_required
def review(request, community_pk):
    community = get_object_or_404(Place, pk=community_pk, kind=PlaceKind.COMMUNITY)
    if not access.can_review_community(scope_for(request.user), community):
        raise Http404
    from django.core.paginator import Paginator

    pending = Paginator(
        Wish.objects.filter(community=community, status=WishStatus.PENDING).select_related("resident", "compound").order_by("created_at"),
        30,
    ).get_page(request.GET.get("page"))
    campaigns = [(c, selectors.stats(community, campaign=c)) for c in WishCampaign.objects.filter(community=community)[:5]]
    return render(
        request,
        "wishes/review.html",
        {"community": community, "pending": pending, "page": pending, "stats": selectors.stats(community), "campaigns": campaigns},
    )
