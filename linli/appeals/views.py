"""Thin views over appeal selectors and services."""

import uuid

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from linli.accounts.scope import scope_for
from linli.appeals import access, selectors, services
from linli.appeals.forms import AddInfoForm, RateForm, ReportForm
from linli.appeals.models import ACTION_LABELS, OPEN_STATES, Appeal, Channel, Level, Status
from linli.core import offers
from linli.core.errors import form_errors, run_service
from linli.core.files import private_image
from linli.registry import access as registry_access
from linli.registry.models import Place, PlaceKind


def _reportable_place(pk) -> Place:
    try:
        place = Place.objects.get(pk=pk, kind__in=access.REPORTABLE_KINDS)
    except (Place.DoesNotExist, ValueError, TypeError, OverflowError):
        raise Http404 from None
    return place


def _safe_next(request, default: str) -> str:
    """Only paths of this site: "//evil.example/" and "https://evil.example/" are refused."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        if target.startswith("/") and not target.startswith("//"):
            return target
    return default


VERIFIED_PHONE = "linli_verified_phone"  # session key: the confirmed phone, encrypted
MY_APPEALS = "linli_my_appeals"  # session key: appeals this anonymous visitor reported


def _verified_phone(request) -> str:
    from linli.core import crypto

    token = request.session.get(VERIFIED_PHONE)
    try:
        return crypto.decrypt(token) if token else ""
    except Exception:  # a key rotation or a tampered session: ask again
        return ""


def verify_phone(request):
    """Residents without an account confirm their phone with a code, then report."""
    from linli.core import crypto
    from linli.core.verification import phone_code_send, phone_code_verify

    next_url = _safe_next(request, reverse("appeals:report"))
    phone, errors, sent = request.POST.get("phone", ""), {}, False
    if request.method == "POST":
        try:
            if request.POST.get("code"):
                number = phone_code_verify(phone=phone, code=request.POST["code"])
                request.session[VERIFIED_PHONE] = crypto.encrypt(number)
                return redirect(next_url)
            phone_code_send(phone=phone)
            sent = True
        except ValidationError as e:
            errors = e.message_dict if hasattr(e, "error_dict") else {"phone": e.messages}
            sent = "code" in errors
    return render(request, "appeals/verify.html", {"phone": phone, "errors": errors, "sent": sent, "next": next_url})


def report(request):
    """The reporting page, phone first (as FixMyStreet does it): opened from a building's QR
    poster (?place=), the menu, or the place picker. Write first; without an account the phone
    is confirmed with a one-time code in the same form, at submit. The answer is the receipt
    with the tracking link."""
    scope = scope_for(request.user)
    # From the picker: the deepest level chosen (unit, building, compound).
    place_id = request.POST.get("place") or request.GET.get("u") or request.GET.get("b") or request.GET.get("place")
    if not place_id and request.user.is_authenticated and request.user.resident_id and not request.GET.get("pick"):
        place_id = request.user.resident.household.dwelling_id
    if not place_id:
        return _place_picker(request)
    place = _reportable_place(place_id)
    channels = access.recording_channels(scope, place)
    on_behalf = bool(channels)
    anonymous = not request.user.is_authenticated
    verified = _verified_phone(request) if anonymous else ""
    categories = list(selectors.categories_for(place.community_id))
    form = ReportForm(
        request.POST or None,
        request.FILES or None,
        categories=categories,
        channels=channels,
        needs_code=anonymous and not verified,
        initial={"place": place.pk, "idempotency_key": uuid.uuid4().hex, "channel": channels[0][0] if channels else ""},
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        category = next((c for c in categories if str(c.pk) == data["category"]), None)
        channel = Channel.QR if request.GET.get("qr") or request.POST.get("qr") else Channel.RESIDENT
        if on_behalf and data.get("channel") in dict(channels):
            channel = data["channel"]
        submit = {
            "place": place,
            "title": "",
            "description": data["description"],
            "channel": channel,
            "category": category,
            "reporter_name": data["reporter_name"],
            "idempotency_key": data["idempotency_key"],
            "photos": data["photos"],
        }
        try:
            if anonymous and not verified:
                appeal, _created = services.appeal_submit_verified(phone=data["phone"], code=data["code"], **submit)
                from linli.core import crypto

                request.session[VERIFIED_PHONE] = crypto.encrypt(appeal.contact_phone)
            elif anonymous:
                appeal, _created = services.appeal_submit(actor=None, contact_phone=verified, origin=_phone_origin(verified), **submit)
            else:
                appeal, _created = services.appeal_submit(actor=request.user, contact_phone=data["contact_phone"], **submit)
        except ValidationError as e:
            form_errors(form, e)
        else:
            if anonymous:
                request.session[MY_APPEALS] = [*request.session.get(MY_APPEALS, [])[-19:], appeal.pk]
            return redirect(f"{reverse('track', args=[appeal.number, access.tracking_signature(appeal)])}?new=1")
    # Open appeals nearby are shown to the neighbours and the handlers of this place only.
    show_similar = access.can_see_neighbours_appeals(scope, request.user, place)
    similar = list(selectors.similar_open_appeals(place)) if show_similar else []
    for item in similar:
        item.may_support = request.user.is_authenticated and access.can_support(scope, request.user, item)
    status = 400 if request.method == "POST" else 200
    context = {
        "form": form,
        "place": place,
        "on_behalf": on_behalf,
        "similar": similar,
        "verified": verified,
        "qr": bool(request.GET.get("qr")),
    }
    # A grid worker scanning the compound's poster starts a patrol from here.
    context["offers"] = (
        offers.offers(offers.REPORT_FORM, scope=scope, user=request.user, place=place, qr=context["qr"]) if not anonymous else []
    )
    return render(request, "appeals/report.html", context, status=status)


def _place_picker(request):
    """No QR link: pick the place — community, compound, building, unit — or the nearest compound."""
    return render(request, "appeals/report_pick.html", {"communities": selectors.reporting_communities()})


@require_GET
def places(request):
    """htmx: the places under one place that a report can name (compounds, buildings, units)."""
    children = selectors.reporting_children(request.GET.get("b") or request.GET.get("place") or request.GET.get("c"))
    return render(request, "appeals/_place_options.html", {"children": children})


@require_GET
def places_near(request):
    """htmx: compounds near the phone's position (when places have coordinates)."""
    try:
        lat, lng = float(request.GET.get("lat", "")), float(request.GET.get("lng", ""))
    except ValueError:
        return render(request, "appeals/_near.html", {"near": [], "bad": True}, status=400)
    if not (-90 <= lat <= 90 and -180 <= lng <= 180):
        return render(request, "appeals/_near.html", {"near": [], "bad": True}, status=400)
    return render(request, "appeals/_near.html", {"near": selectors.compounds_near(lat, lng)})


@require_POST
def send_code(request):
    """htmx: send the one-time code to the phone typed in the report form (limits: one a
    minute, ten a day per phone)."""
    from linli.core.verification import phone_code_send

    try:
        phone_code_send(phone=request.POST.get("phone", ""))
    except ValidationError as e:
        return render(request, "appeals/_code_sent.html", {"errors": e.messages}, status=400)
    return render(request, "appeals/_code_sent.html", {"sent": True})


def _tracked(number, signature) -> Appeal:
    appeal = Appeal.objects.select_related("place", "category").filter(number=str(number)[:24]).first()
    if appeal is None or not access.tracking_valid(appeal, signature):
        raise Http404
    return appeal


def track(request, number, signature):
    """The reporter's tracking page, by the link on the receipt and in the SMS: follow, add
    information, confirm and rate — on any device, without an account."""
    appeal = _tracked(number, signature)
    info_form = AddInfoForm(prefix="info")
    rate_form = RateForm(prefix="rate")
    status = 200
    if request.method == "POST":
        user = request.user if request.user.is_authenticated else None
        if "info-text" in request.POST or "info-photos" in request.FILES:
            info_form = AddInfoForm(request.POST, request.FILES, prefix="info")
            if info_form.is_valid():
                done = run_service(
                    request,
                    lambda: services.appeal_add_info(actor=user, appeal=appeal, signature=signature, **info_form.cleaned_data),
                    _("已补充，办理人员会看到。"),
                )
                if done is not None:
                    return redirect("track", number=number, signature=signature)
        else:
            rate_form = RateForm(request.POST, prefix="rate")
            if rate_form.is_valid():
                done = run_service(
                    request,
                    lambda: services.appeal_rate(actor=user, appeal=appeal, signature=signature, **rate_form.cleaned_data),
                    _("感谢您的评价。"),
                )
                if done is not None:
                    return redirect("track", number=number, signature=signature)
        status = 400
        appeal.refresh_from_db()
    return render(
        request,
        "appeals/track.html",
        {
            "appeal": appeal,
            "signature": signature,
            "events": selectors.appeal_timeline(appeal, public_only=True),
            "new": request.GET.get("new") == "1",
            "info_form": info_form if appeal.is_open else None,
            "rate_form": rate_form if appeal.can("rate") else None,
            "track_url": request.build_absolute_uri(reverse("track", args=[appeal.number, signature])),
        },
        status=status,
    )


def track_photo(request, number, signature, photo_pk):
    """Photos of a tracked appeal, by the same link."""
    appeal = _tracked(number, signature)
    item = get_object_or_404(appeal.photos, pk=photo_pk)
    return private_image(item.image)


def _phone_origin(phone: str) -> str:
    """The sender of an anonymous report, for its idempotency key: the confirmed phone's digest."""
    from linli.core import crypto

    return f"phone:{crypto.digest(phone)}" if phone else ""


@login_required
def quick(request):
    """随手记: a grid worker or building head picks a building of theirs, then writes."""
    scope = scope_for(request.user)
    if not scope.has(access.REPORT_FOR_OTHERS):
        raise Http404
    buildings = list(selectors.reportable_buildings(scope))
    for b in buildings:
        b.may_print_qr = access.can_print_qr(scope, b)
    return render(request, "appeals/quick.html", {"buildings": buildings})


@login_required
def qr_poster(request, place_pk):
    """A printable poster for a building or compound: scan, and the report page opens there."""
    import segno

    place = _reportable_place(place_pk)
    if not access.can_print_qr(scope_for(request.user), place):
        raise Http404
    url = request.build_absolute_uri(f"{reverse('appeals:report')}?place={place.pk}&qr=1")
    svg = segno.make(url, error="m").svg_inline(scale=8, dark="#000", light="#fff")
    return render(request, "appeals/qr_poster.html", {"place": place, "svg": svg, "url": url})


@require_GET
def suggest(request):
    """htmx: the suggested category for what the resident is typing. Open to anyone reporting
    (an anonymous resident types too), limited per address (core.throttle)."""
    from linli.appeals.classifier import suggest_category
    from linli.core.throttle import allow

    if not allow(request, "suggest", per_minute=60):
        return render(request, "appeals/_suggestion.html", {"category": None}, status=429)
    place = _reportable_place(request.GET.get("place"))
    category = suggest_category(request.GET.get("description", "")[:2000], community_id=place.community_id)
    return render(request, "appeals/_suggestion.html", {"category": category})


@login_required
@require_POST
def support(request, pk):
    appeal = get_object_or_404(Appeal.objects.select_related("place"), pk=pk, status__in=OPEN_STATES)
    if not access.can_support(scope_for(request.user), request.user, appeal):
        raise Http404
    run_service(request, lambda: services.appeal_support(actor=request.user, appeal=appeal), _("已附议，办理结果会同样通知您。"))
    return redirect(f"{reverse('appeals:report')}?place={appeal.place_id}")


def status(request, pk):
    """The reporter's status page, and handlers' view of the same appeal. Those who only
    reported (or added their voice) see the public timeline; handlers and those in reach see
    all of it. An anonymous reporter sees the appeals reported from this browser session."""
    if not request.user.is_authenticated:
        try:
            mine = int(pk) in request.session.get(MY_APPEALS, [])
        except (TypeError, ValueError):
            mine = False
        if not mine:
            return redirect(f"{reverse('login')}?next={request.path}")
        appeal = get_object_or_404(Appeal.objects.select_related("place", "category"), pk=pk)
        return render(
            request,
            "appeals/status.html",
            {"appeal": appeal, "events": selectors.appeal_timeline(appeal, public_only=True), "reporter_view": True},
        )
    scope = scope_for(request.user)
    appeal = selectors.access_appeal(scope, pk)
    is_reporter = access.is_reporter(scope, appeal)
    staff_view = access.sees_internal(scope, appeal)
    rate_form = RateForm(request.POST or None) if is_reporter and appeal.can("rate") else None
    if request.method == "POST" and rate_form is not None and rate_form.is_valid():
        run_service(request, lambda: services.appeal_rate(actor=request.user, appeal=appeal, **rate_form.cleaned_data), _("感谢您的评价。"))
        return redirect("appeals:status", pk=appeal.pk)
    actions = access.allowed_actions(scope, appeal) if staff_view else []
    handlers = access.eligible_handlers(appeal) if "dispatch" in actions else None
    return render(
        request,
        "appeals/status.html",
        {
            "appeal": appeal,
            "events": selectors.appeal_timeline(appeal, public_only=not staff_view),
            "rate_form": rate_form,
            "staff_view": staff_view,
            "reporter_view": staff_view or is_reporter,
            "actions": [(a, ACTION_LABELS[a]) for a in actions],
            "handlers": handlers,
            "suggested": access.suggested_handlers(appeal, handlers) if handlers else None,
            "levels": Level.choices,
            "offers": offers.offers(offers.APPEAL_PAGE, scope=scope, user=request.user, appeal=appeal) if staff_view else [],
        },
    )


@login_required
def appeal_list(request):
    scope = scope_for(request.user)
    if not access.can_list(scope):
        return redirect("appeals:mine")
    qs = selectors.appeal_list(
        scope,
        status=request.GET.get("status", "open"),
        overdue=bool(request.GET.get("overdue")),
        level=request.GET.get("level", ""),
        query=request.GET.get("q", "").strip(),
    )
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "appeals/list.html",
        {
            "page": page,
            "statuses": Status.choices,
            "levels": Level.choices,
            "params": request.GET,
            # Where the user runs the whole community (not just a grid): categories and the board.
            "communities": [
                c for c in registry_access.communities(scope, access.MANAGE_CATEGORIES) if access.can_manage_categories(scope, c)
            ],
        },
    )


@login_required
def mine(request):
    qs = Appeal.objects.filter(reporter=request.user).select_related("category").order_by("-created_at", "-id")
    page = Paginator(qs, 20).get_page(request.GET.get("page"))
    for a in page:
        a.track_signature = access.tracking_signature(a)
    return render(request, "appeals/mine.html", {"page": page})


@login_required
def photo(request, pk, photo_pk):
    """Photos are served through the scope rule, never as public media files."""
    appeal = selectors.access_appeal(scope_for(request.user), pk)
    item = get_object_or_404(appeal.photos, pk=photo_pk)
    return private_image(item.image)


@login_required
def categories(request, community_pk, pk=None):
    """The community edits its own categories; the default set is shown for reference."""
    from linli.appeals.forms import CategoryForm
    from linli.appeals.models import Category

    scope = scope_for(request.user)
    community = get_object_or_404(Place, pk=community_pk, kind=PlaceKind.COMMUNITY)
    if not access.can_manage_categories(scope, community):
        raise Http404
    category = get_object_or_404(Category, pk=pk, community=community) if pk else None
    own = selectors.categories_for(community.pk)
    form = CategoryForm(
        request.POST or None,
        instance=category,
        parents=Category.objects.filter(pk__in=own.values("pk")),
        handlers=registry_access.organisations(scope),
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.category_save(
                actor=request.user, community=community, category=category, **{f: form.cleaned_data[f] for f in services.CATEGORY_FIELDS}
            )
        except ValidationError as e:
            form_errors(form, e)
        else:
            messages.success(request, _("已保存。"))
            return redirect("appeals:categories", community_pk=community.pk)
    rows = (
        Category.objects.filter(Q(community=community) | Q(community__isnull=True))
        .select_related("parent", "default_handler")
        .order_by("community_id", "id")
    )
    return render(request, "appeals/categories.html", {"community": community, "rows": rows, "form": form, "editing": category})


def board(request, community_pk):
    """结果公示: public, no login, no personal data."""
    community = get_object_or_404(Place, pk=community_pk, kind=PlaceKind.COMMUNITY)
    page = Paginator(selectors.public_board(community), 20).get_page(request.GET.get("page"))
    return render(request, "appeals/board.html", {"community": community, "page": page})


# ---- staff and handler actions ---------------------------------------------------------


@login_required
@require_POST
def act(request, pk, action):
    """Every action of the status page. The service asks the same predicate as the page that
    offered the button (access), so a refused action is a 404 like a missing appeal."""
    scope = scope_for(request.user)
    appeal = selectors.access_appeal(scope, pk)
    p = request.POST
    user = request.user
    calls = {
        "accept": lambda: services.appeal_accept(actor=user, appeal=appeal, note=p.get("note", "")),
        "reject": lambda: services.appeal_reject(actor=user, appeal=appeal, reason=p.get("reason", "")),
        "dispatch": lambda: _dispatch(user, appeal, p),
        "sign": lambda: services.appeal_sign(actor=user, appeal=appeal),
        "return": lambda: services.appeal_return(actor=user, appeal=appeal, reason=p.get("reason", "")),
        "escalate": lambda: services.appeal_escalate(actor=user, appeal=appeal, reason=p.get("reason", "")),
        "set_level": lambda: services.appeal_set_level(actor=user, appeal=appeal, level=p.get("level", ""), reason=p.get("reason", "")),
        "resolve": lambda: services.appeal_resolve(
            actor=user, appeal=appeal, result=p.get("result", ""), photos=request.FILES.getlist("photos")
        ),
        "reopen": lambda: services.appeal_reopen(actor=user, appeal=appeal, reason=p.get("reason", "")),
        "merge": lambda: services.appeal_merge(actor=user, appeal=appeal, into=_merge_target(scope, p.get("into", ""))),
        "extend": lambda: services.appeal_extend(actor=user, appeal=appeal, working_days=p.get("working_days"), reason=p.get("reason", "")),
        "supervise": lambda: services.appeal_supervise(actor=user, appeal=appeal, note=p.get("note", "")),
        "callback": lambda: services.appeal_callback(actor=user, appeal=appeal, note=p.get("note", "")),
        "rate": lambda: services.appeal_rate(actor=user, appeal=appeal, rating=p.get("rating"), comment=p.get("comment", "")),
    }
    if action not in calls:
        raise Http404
    run_service(request, calls[action])
    # From the inbox, back to the inbox (one tap, then the next task).
    back = _safe_next(request, "")
    return redirect(back) if back else redirect("appeals:status", pk=appeal.pk)


def _merge_target(scope, number: str):
    target = selectors.merge_target(scope, number)
    if target is None:
        raise ValidationError({"into": _("找不到编号为%(n)s的诉求。") % {"n": number[:24]}})
    return target


def _dispatch(user, appeal, p):
    """The form names handlers by id; anything outside the eligible set is refused."""
    choices = access.eligible_handlers(appeal)
    wanted_users, wanted_orgs = set(p.getlist("users")), set(p.getlist("organisations"))
    users = [u for u, _label in choices.users if str(u.pk) in wanted_users]
    orgs = [o for o in choices.organisations if str(o.pk) in wanted_orgs]
    if len(users) != len(wanted_users) or len(orgs) != len(wanted_orgs):
        raise ValidationError({"handlers": _("承办人或承办单位不在该诉求的可派范围内。")})
    lead_key = p.get("lead", "")
    lead = next((u for u in users if f"u{u.pk}" == lead_key), None) or next((o for o in orgs if f"o{o.pk}" == lead_key), None)
    return services.appeal_dispatch(actor=user, appeal=appeal, users=users, organisations=orgs, lead=lead, note=p.get("note", ""))


INBOX_LABELS = {
    "pending": gettext_lazy("待签收"),
    "in_hand": gettext_lazy("办理中"),
    "due_soon": gettext_lazy("即将超期"),
    "overdue": gettext_lazy("已超期"),
    "to_accept": gettext_lazy("待受理"),
    "to_dispatch": gettext_lazy("待派单"),
}


@login_required
def inbox(request):
    """待办: what waits for this handler (and, for those who dispatch, for their grid or
    community), with one tap to sign, return or resolve. Cards on a phone."""
    scope = scope_for(request.user)
    if not access.can_list(scope):
        raise Http404
    counts = selectors.inbox_counts(scope)
    dispatcher = scope.has(access.DISPATCH_APPEALS)
    tabs = [t for t in selectors.INBOX_TABS if dispatcher or t not in ("to_accept", "to_dispatch")]
    tab = request.GET.get("tab") or next((t for t in tabs if counts[t]), tabs[0])
    if tab not in tabs:
        raise Http404
    page = Paginator(selectors.inbox(scope, tab), 20).get_page(request.GET.get("page"))
    for appeal in page:
        appeal.actions = [a for a in access.allowed_actions(scope, appeal) if a in ("sign", "return", "resolve", "accept", "escalate")]
    return render(
        request,
        "appeals/inbox.html",
        {
            "tabs": [(t, INBOX_LABELS[t], counts[t]) for t in tabs],
            "tab": tab,
            "page": page,
            "labels": ACTION_LABELS,
        },
    )
