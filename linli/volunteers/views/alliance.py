"""The merchant alliance (爱心商圈): offers, one-time codes, the merchant's desk, partner units' purchases."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpResponseBadRequest
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from linli.accounts.scope import scope_for
from linli.core.errors import post_action
from linli.core.errors import query_params as _param
from linli.registry.models import Organisation
from linli.volunteers import access, forms, selectors, services
from linli.volunteers.models import (
    Offer,
    Redemption,
    RedemptionStatus,
)

# ---- the merchant alliance ---------------------------------------------------------------------------------


@login_required
def offers(request):
    """爱心商圈: what I may use, and my codes."""
    rows = [o for o in selectors.offers_with_use(access.offers_for(request.user)) if access.can_issue_code(request.user, o)]
    codes = selectors.my_codes(request.user)
    volunteer = access.volunteer_of(request.user)
    return render(request, "volunteers/offers.html", {"offers": rows, "codes": codes, "volunteer": volunteer, "now": timezone.now()})


@login_required
@require_POST
def offer_code(request, pk):
    offer = Offer.objects.select_related("merchant", "community").filter(pk=pk).first()
    if offer is None:
        raise Http404
    return post_action(
        request,
        form=forms.EmptyForm(request.POST),
        call=lambda d: services.code_issue(actor=request.user, offer=offer),
        success_url=lambda r: reverse("volunteers:code", args=[r.pk]),
        rerender=lambda: offers(request),
        ok=_("请在15分钟内向商户出示核销码。"),
    )


@login_required
def code(request, pk):
    redemption = Redemption.objects.select_related("offer__merchant").filter(pk=pk, holder=request.user).first()
    if redemption is None:
        raise Http404
    live = redemption.status == RedemptionStatus.ISSUED and redemption.expires_at > timezone.now()
    return render(request, "volunteers/code.html", {"r": redemption, "live": live})


def _merchant_desk(request, form=None, status=200):
    scope = scope_for(request.user)
    merchant_ids = access.merchant_ids(scope)
    if not merchant_ids:
        raise Http404
    return render(
        request,
        "volunteers/merchant.html",
        {
            "form": form or forms.CodeForm(),
            "merchants": Organisation.objects.filter(pk__in=sorted(merchant_ids)),
            "offers": selectors.merchant_offers(merchant_ids),
            "recent": selectors.redeemed_this_month(merchant_ids),
        },
        status=status,
    )


@login_required
def merchant(request):
    """The shop's phone: enter the code the customer shows, and this month's redemptions."""
    return _merchant_desk(request)


@login_required
@require_POST
def merchant_confirm(request):
    from linli.core.throttle import allow

    if not access.merchant_ids(scope_for(request.user)):
        raise Http404
    # Codes are eight digits and live 15 minutes; a shop's phone gets 30 tries a minute.
    if not allow(request, f"code-confirm:{request.user.pk}", per_minute=30):
        return HttpResponseBadRequest(_("尝试过于频繁，请稍后再试。"), status=429)
    form = forms.CodeForm(request.POST)
    return post_action(
        request,
        form=form,
        call=lambda d: services.code_confirm(actor=request.user, code=d["code"]),
        success_url=reverse("volunteers:merchant"),
        rerender=lambda: _merchant_desk(request, form),
        ok=_("核销成功。"),
    )


def _offer_page(request, form, merchant, offer=None):
    return render(request, "volunteers/offer_form.html", {"form": form, "merchant": merchant, "offer": offer})


@login_required
def offer_new(request):
    pk = _param(forms.MerchantParam, request)["merchant"]
    merchant = Organisation.objects.select_related("place").filter(pk=pk, kind=Organisation.Kind.MERCHANT).first() if pk else None
    if merchant is None:
        ids = sorted(access.merchant_ids(scope_for(request.user)))
        merchant = Organisation.objects.select_related("place").filter(pk__in=ids[:1]).first()
    if merchant is None or not access.can_edit_offer(scope_for(request.user), merchant):
        raise Http404
    form = forms.OfferForm(request.POST or None)
    if request.method != "POST":
        return _offer_page(request, form, merchant)
    return post_action(
        request,
        form=form,
        call=lambda d: services.offer_save(actor=request.user, merchant=merchant, **d),
        success_url=reverse("volunteers:merchant")
        if access.can_confirm_at(scope_for(request.user), Offer(merchant=merchant))
        else reverse("volunteers:figures", args=[merchant.place_id]),
        rerender=lambda: _offer_page(request, form, merchant),
        ok=_("优惠已保存。"),
    )


@login_required
def offer_edit(request, pk):
    offer = Offer.objects.select_related("merchant__place").filter(pk=pk).first()
    if offer is None or not access.can_edit_offer(scope_for(request.user), offer.merchant):
        raise Http404
    initial = {
        f: getattr(offer, f)
        for f in ("title", "kind", "description", "for_volunteers", "points_cost", "per_person_month", "quantity", "active")
    }
    initial["care_tags"] = list(offer.care_tags.all())
    form = forms.OfferForm(request.POST or None, initial=initial)
    if request.method != "POST":
        return _offer_page(request, form, offer.merchant, offer)
    return post_action(
        request,
        form=form,
        call=lambda d: services.offer_save(actor=request.user, merchant=offer.merchant, offer=offer, **d),
        success_url=reverse("volunteers:offer_edit", args=[offer.pk]),
        rerender=lambda: _offer_page(request, form, offer.merchant, offer),
        ok=_("优惠已保存。"),
    )


@login_required
def purchases(request):
    """认购: a partner unit records what it bought from the caring shops, and sees its record."""
    buyers = access.buyer_units(scope_for(request.user))
    if not buyers.exists():
        raise Http404
    form = forms.PurchaseForm(
        request.POST or None,
        buyers=buyers,
        community_ids=list(buyers.values_list("place_id", flat=True)),
        initial={"bought_on": timezone.localdate()},
    )

    def page():
        rows = Paginator(selectors.unit_purchases(buyers), 30).get_page(request.GET.get("page"))
        return render(request, "volunteers/purchases.html", {"form": form, "page": rows})

    if request.method != "POST":
        return page()
    return post_action(
        request,
        form=form,
        call=lambda d: services.purchase_record(actor=request.user, **d),
        success_url=reverse("volunteers:purchases"),
        rerender=page,
        ok=_("认购已登记。"),
    )
