"""Thin views over volunteer selectors and services. Every post goes through a form (shape)
and a service (rules); an invalid post re-renders its page with the reasons and status 400;
whatever a person may not open is a 404, the same as what does not exist."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from linli.accounts.scope import scope_for
from linli.core.errors import post_action
from linli.core.errors import query_params as _param
from linli.core.masking import mask_name
from linli.registry.models import Organisation, Place
from linli.registry.selectors import community_or_404 as _community
from linli.volunteers import access, forms, selectors, services
from linli.volunteers.models import (
    Activity,
    Availability,
    Offer,
    Redemption,
    RedemptionStatus,
    SignUp,
    SignUpStatus,
    Skill,
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


# ---- activities ------------------------------------------------------------------------------------------


@login_required
def activities(request):
    """Upcoming activities of my community (or ?community= for staff and the curious)."""
    pk = _param(forms.CommunityParam, request)["community"]
    volunteer = access.volunteer_of(request.user)
    if pk:
        community = _community(pk)
    else:
        community = _activity_community(request.user, volunteer)
    if community is None:
        raise Http404
    qs = selectors.with_my_signup(selectors.activities(community), volunteer)
    page = Paginator(qs, 20).get_page(request.GET.get("page"))
    return render(
        request,
        "volunteers/activities.html",
        {"community": community, "page": page, "may_publish": access.may_publish_somewhere(scope_for(request.user), request.user)},
    )


def _access_activity(request, pk) -> Activity:
    activity = Activity.objects.select_related("community", "team", "campaign").filter(pk=pk).first()
    if activity is None or not access.can_view_activity(scope_for(request.user), request.user, activity):
        raise Http404
    return activity


def _activity_page(request, activity, status=200):
    scope = scope_for(request.user)
    volunteer = access.volunteer_of(request.user)
    mine = selectors.signup_of(activity, volunteer)
    organiser = access.can_organise(scope, request.user, activity)
    actions = access.activity_actions(scope, request.user, activity, mine)
    return render(
        request,
        "volunteers/activity.html",
        {
            "activity": activity,
            "mine": mine,
            "actions": actions,
            "organiser": organiser,
            "roster": selectors.roster(activity) if organiser else None,
            "max_hours": selectors.policy(activity.community).max_hours_per_activity,
            "started": activity.starts_at <= timezone.now(),
            "skills": [Skill(s).label for s in activity.skills if s in Skill.values],
        },
        status=status,
    )


@login_required
def activity(request, pk):
    return _activity_page(request, _access_activity(request, pk))


ACTIVITY_ACTIONS = {
    "signup": (forms.EmptyForm, lambda u, a, d: services.activity_sign_up(actor=u, activity=a), _("报名成功，活动前一天会提醒您。")),
    "withdraw": (forms.EmptyForm, lambda u, a, d: services.activity_withdraw(actor=u, activity=a), _("已取消报名。")),
    "cancel": (
        forms.ReasonForm,
        lambda u, a, d: services.activity_cancel(actor=u, activity=a, reason=d["reason"]),
        _("活动已取消，已通知报名的志愿者。"),
    ),
}


@login_required
@require_POST
def activity_act(request, pk, action):
    activity = _access_activity(request, pk)
    if action not in ACTIVITY_ACTIONS:
        raise Http404
    form_class, call, ok = ACTIVITY_ACTIONS[action]
    return post_action(
        request,
        form=form_class(request.POST),
        call=lambda d: call(request.user, activity, d),
        success_url=reverse("volunteers:activity", args=[activity.pk]),
        rerender=lambda: _activity_page(request, activity),
        ok=ok,
    )


def _publish_targets(request, community):
    """Teams this person may publish for: all of the community's (staff), or the ones they lead."""
    scope = scope_for(request.user)
    if access.can_manage(scope, community):
        return selectors.community_teams(community), False
    return access.led_teams(request.user).filter(community=community), True


@login_required
def activity_new(request):
    pk = _param(forms.CommunityParam, request)["community"] if request.method == "GET" else request.POST.get("community", "")
    try:
        community = _community(int(pk)) if pk else None
    except (TypeError, ValueError, OverflowError):
        raise Http404 from None
    if community is None:
        volunteer = access.volunteer_of(request.user)
        community = volunteer.community if volunteer else access.managed_communities(scope_for(request.user)).first()
    if community is None:
        raise Http404
    teams, leader_only = _publish_targets(request, community)
    if not (access.can_manage(scope_for(request.user), community) or teams.exists()):
        raise Http404
    campaigns = selectors.open_campaigns(community)
    form = forms.ActivityForm(request.POST or None, teams=teams, campaigns=campaigns, team_required=leader_only)

    def page():
        return render(request, "volunteers/activity_new.html", {"form": form, "community": community})

    if request.method != "POST":
        return page()
    return post_action(
        request,
        form=form,
        call=lambda d: services.activity_publish(actor=request.user, community=community, **d),
        success_url=lambda a: reverse("volunteers:activity", args=[a.pk]),
        rerender=page,
        ok=_("活动已发布。"),
    )


@login_required
def poster(request, pk):
    """The check-in QR to print and put up at the place (organisers only: it proves presence)."""
    import segno

    activity = _access_activity(request, pk)
    if not access.can_organise(scope_for(request.user), request.user, activity):
        raise Http404
    url = settings.LINLI_BASE_URL.rstrip("/") + reverse("volunteers:scan", args=[activity.pk, activity.checkin_token])
    svg = segno.make(url, error="m").svg_inline(scale=8, dark="#000", light="#fff")
    return render(request, "volunteers/poster.html", {"activity": activity, "svg": svg, "url": url})


@login_required
def scan(request, pk, token):
    """What the QR opens: the volunteer's check-in or check-out button for this activity."""
    activity = _access_activity(request, pk)
    volunteer = access.volunteer_of(request.user)
    mine = selectors.signup_of(activity, volunteer)
    mine = mine if mine is not None and mine.status == SignUpStatus.SIGNED else None

    def page(status=200):
        return render(request, "volunteers/scan.html", {"activity": activity, "mine": mine, "token": token}, status=status)

    if request.method != "POST":
        return page()
    return post_action(
        request,
        form=forms.ScanForm(request.POST),
        call=lambda d: services.activity_check(actor=request.user, activity=activity, token=token, direction=d["direction"]),
        success_url=reverse("volunteers:scan", args=[activity.pk, token]),
        rerender=page,
        ok=_("已记录。"),
    )


SIGNUP_ACTIONS = {
    "tick": (forms.EmptyForm, lambda u, s, d: services.attendance_tick(actor=u, signup=s), _("已登记到场，时长已记入。")),
    "correct": (forms.HoursForm, lambda u, s, d: services.hours_correct(actor=u, signup=s, **d), _("时长已更正。")),
}


@login_required
@require_POST
def signup_act(request, pk, action):
    signup = SignUp.objects.select_related("activity__community", "activity__team").filter(pk=pk).first()
    if signup is None or action not in SIGNUP_ACTIONS:
        raise Http404
    activity = signup.activity
    if not access.can_organise(scope_for(request.user), request.user, activity):
        raise Http404
    form_class, call, ok = SIGNUP_ACTIONS[action]
    return post_action(
        request,
        form=form_class(request.POST),
        call=lambda d: call(request.user, signup, d),
        success_url=reverse("volunteers:activity", args=[activity.pk]),
        rerender=lambda: _activity_page(request, activity),
        ok=ok,
    )


# ---- staff: volunteers, teams, rules ----------------------------------------------------------------------


def _managed(request, community_pk) -> Place:
    community = _community(community_pk)
    if not access.can_manage(scope_for(request.user), community):
        raise Http404
    return community


def _manage_page(request, community, forms_by_name=None, status=200):
    policy = selectors.policy(community)
    bound = forms_by_name or {}
    return render(
        request,
        "volunteers/manage.html",
        {
            "community": community,
            "pending": selectors.volunteers_for_review(community)[:50],
            "teams": selectors.teams(community),
            "page": Paginator(selectors.community_volunteers(community, status="active"), 30).get_page(request.GET.get("page")),
            "campaigns": selectors.recent_campaigns(community),
            "kind_rules": selectors.kind_rules(community),
            "policy_form": bound.get("policy")
            or forms.PolicyForm(
                initial={
                    "points_per_hour": policy.points_per_hour,
                    "max_hours_per_activity": policy.max_hours_per_activity,
                    "star_hours": policy.star_hours,
                    "points_valid_months": policy.points_valid_months,
                }
            ),
            "kind_form": bound.get("kind_rule") or forms.KindRuleForm(),
            "campaign_form": bound.get("campaign") or forms.CampaignForm(),
            "team_form": bound.get("team") or forms.TeamForm(),
        },
        status=status,
    )


@login_required
def manage(request, community_pk):
    return _manage_page(request, _managed(request, community_pk))


MANAGE_ACTIONS = {
    "policy": (forms.PolicyForm, services.policy_save, _("积分规则已保存。")),
    "kind_rule": (forms.KindRuleForm, services.kind_rule_save, _("类型积分规则已保存。")),
    "campaign": (forms.CampaignForm, services.campaign_create, _("主题活动已创建。")),
    "team": (forms.TeamForm, services.team_create, _("服务队已创建。")),
}


@login_required
@require_POST
def manage_act(request, community_pk, action):
    community = _managed(request, community_pk)
    if action not in MANAGE_ACTIONS:
        raise Http404
    form_class, call, ok = MANAGE_ACTIONS[action]
    form = form_class(request.POST)
    return post_action(
        request,
        form=form,
        call=lambda d: call(actor=request.user, community=community, **d),
        success_url=reverse("volunteers:manage", args=[community.pk]),
        rerender=lambda: _manage_page(request, community, {action: form}),
        ok=ok,
    )


def _volunteer_page(request, volunteer, membership_form=None):
    scope = scope_for(request.user)
    return render(
        request,
        "volunteers/volunteer.html",
        {
            "v": volunteer,
            "manager": access.can_review(scope, volunteer),
            "memberships": volunteer.memberships.select_related("team"),
            "membership_form": membership_form or forms.MembershipForm(teams=selectors.community_teams(volunteer.community)),
            "entries": selectors.ledger(volunteer)[:30],
            "stars": selectors.star_level(volunteer.hours, selectors.policy(volunteer.community).star_hours),
            "skills": [Skill(s).label for s in volunteer.skills if s in Skill.values],
            "availability": [Availability(s).label for s in volunteer.availability if s in Availability.values],
            "transitions": [a for a, (sources, _t) in services.VOLUNTEER_TRANSITIONS.items() if volunteer.status in sources],
        },
    )


@login_required
def volunteer(request, pk):
    return _volunteer_page(request, _access_volunteer(request, pk))


@login_required
@require_POST
def volunteer_act(request, pk, action):
    volunteer = _access_volunteer(request, pk)
    if not access.can_review(scope_for(request.user), volunteer):
        raise Http404
    teams = selectors.community_teams(volunteer.community)
    if action in services.VOLUNTEER_TRANSITIONS:
        form = forms.NoteForm(request.POST)
        call = lambda d: services.volunteer_review(actor=request.user, volunteer=volunteer, action=action, note=d["note"])  # noqa: E731
    elif action == "join":
        form = forms.MembershipForm(request.POST, teams=teams)
        call = lambda d: services.membership_set(actor=request.user, volunteer=volunteer, team=d["team"], leader=d["leader"])  # noqa: E731
    elif action == "leave":
        form = forms.MembershipForm(request.POST, teams=teams)
        call = lambda d: services.membership_remove(actor=request.user, volunteer=volunteer, team=d["team"])  # noqa: E731
    else:
        raise Http404
    return post_action(
        request,
        form=form,
        call=call,
        success_url=reverse("volunteers:volunteer", args=[volunteer.pk]),
        rerender=lambda: _volunteer_page(request, volunteer, form if action in {"join", "leave"} else None),
    )


@login_required
def honours(request, community_pk):
    """光荣榜: rankings by hours per year and team, and the star levels. Names are masked for
    everyone but the community's staff."""
    community = _community(community_pk)
    params = _param(forms.HonoursParams, request)
    year = params["year"] or timezone.localdate().year
    team = selectors.community_teams(community).filter(pk=params["team"]).first() if params["team"] else None
    rows = selectors.rankings(community, year=year, team=team)
    if not access.can_manage(scope_for(request.user), community):
        for r in rows:
            r["volunteer__name"] = mask_name(r["volunteer__name"])
    return render(
        request,
        "volunteers/honours.html",
        {
            "community": community,
            "year": year,
            "years": list(range(timezone.localdate().year, timezone.localdate().year - 4, -1)),
            "team": team,
            "teams": selectors.community_teams(community),
            "rows": rows,
            "team_rows": selectors.team_rankings(community, year=year),
            "stars": selectors.star_counts(community),
            "thresholds": selectors.policy(community).star_hours,
        },
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


@login_required
def figures(request, community_pk):
    """Monthly figures per merchant and the year's volunteering in numbers (staff, the street)."""
    community = _community(community_pk)
    scope = scope_for(request.user)
    if not access.can_view_figures(scope, community):
        raise Http404
    raw = _param(forms.MonthParam, request)["month"]
    today = timezone.localdate()
    year, month = (int(raw[:4]), int(raw[5:])) if raw else (today.year, today.month)
    return render(
        request,
        "volunteers/figures.html",
        {
            "community": community,
            "month": f"{year}-{month:02d}",
            "rows": selectors.merchant_month(community, year, month),
            "totals": selectors.figures(community, year=year),
            "manager": access.can_manage(scope, community),
            "offers": selectors.community_offers(community) if access.can_manage(scope, community) else [],
        },
    )
