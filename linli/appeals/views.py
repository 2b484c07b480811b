"""Thin views over appeal selectors and services."""

import uuid

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from linli.accounts.models import Role, RoleAssignment
from linli.accounts.scope import Capability, scope_for
from linli.appeals import selectors, services
from linli.appeals.forms import RateForm, ReportForm
from linli.appeals.models import OPEN_STATES, Appeal, Channel, Level, Status
from linli.registry.models import Organisation, Place, PlaceKind


def _reportable_place(pk) -> Place:
    try:
        place = Place.objects.get(pk=pk, kind__in=services.REPORTABLE_KINDS)
    except (Place.DoesNotExist, ValueError, TypeError):
        raise Http404 from None
    return place


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

    next_url = request.POST.get("next") or request.GET.get("next") or reverse("appeals:report")
    if not next_url.startswith("/"):
        next_url = reverse("appeals:report")
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
    """The resident's phone page: opened from a building's QR code (?place=) or the menu.
    Without an account, the phone must be confirmed first (verify_phone)."""
    if not request.user.is_authenticated:
        if not _verified_phone(request):
            return redirect(f"{reverse('appeals:verify')}?next={request.get_full_path()}")
        if not (request.POST.get("place") or request.GET.get("place")):
            raise Http404
    scope = scope_for(request.user)
    place_id = request.POST.get("place") or request.GET.get("place")
    if not place_id and request.user.is_authenticated and request.user.resident_id:
        place_id = request.user.resident.household.dwelling_id
    if not place_id:
        raise Http404
    place = _reportable_place(place_id)
    on_behalf = scope.can(Capability.REPORT_FOR_OTHERS, place)
    categories = list(selectors.categories_for(place.community_id))
    channels = _recording_channels(scope) if on_behalf else []
    form = ReportForm(
        request.POST or None,
        request.FILES or None,
        categories=categories,
        channels=channels,
        initial={"place": place.pk, "idempotency_key": uuid.uuid4().hex, "channel": channels[0][0] if channels else ""},
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        category = next((c for c in categories if str(c.pk) == data["category"]), None)
        channel = Channel.QR if request.GET.get("qr") else Channel.RESIDENT
        if on_behalf and data.get("channel") in dict(channels):
            channel = data["channel"]
        try:
            anonymous_phone = "" if request.user.is_authenticated else _verified_phone(request)
            appeal, _created = services.appeal_submit(
                actor=request.user if request.user.is_authenticated else None,
                place=place,
                title="",
                description=data["description"],
                channel=channel,
                category=category,
                contact_phone=anonymous_phone or data["contact_phone"],
                reporter_name=data["reporter_name"],
                idempotency_key=data["idempotency_key"],
            )
        except ValidationError as e:
            for field, errs in e.message_dict.items():
                form.add_error(field if field in form.fields else None, errs)
        else:
            if not request.user.is_authenticated:
                request.session[MY_APPEALS] = [*request.session.get(MY_APPEALS, [])[-19:], appeal.pk]
            messages.success(request, _("已提交，编号 %(n)s。您可以在这里查看办理进度。") % {"n": appeal.number})
            return redirect("appeals:status", pk=appeal.pk)
    return render(
        request,
        "appeals/report.html",
        {
            "form": form,
            "place": place,
            "on_behalf": on_behalf,
            "similar": selectors.similar_open_appeals(place),
        },
    )


def _recording_channels(scope) -> list[tuple[str, str]]:
    """How this person records a report for someone else: the first is the default."""
    out = []
    if scope.has(Capability.DISPATCH_APPEALS):
        out += [(Channel.PHONE, Channel.PHONE.label), (Channel.WALK_IN, Channel.WALK_IN.label)]
    if Role.GRID_WORKER in scope.roles or Role.GRID_LEADER in scope.roles:
        out.append((Channel.GRID_WORKER, Channel.GRID_WORKER.label))
    if Role.BUILDING_HEAD in scope.roles:
        out.append((Channel.BUILDING_HEAD, Channel.BUILDING_HEAD.label))
    return out


@login_required
def quick(request):
    """随手记: a grid worker or building head picks a building of theirs, then writes."""
    scope = scope_for(request.user)
    if not scope.has(Capability.REPORT_FOR_OTHERS):
        raise Http404
    buildings = selectors.reportable_buildings(scope)
    return render(request, "appeals/quick.html", {"buildings": buildings})


@login_required
def qr_poster(request, place_pk):
    """A printable poster for a building or compound: scan, and the report page opens there."""
    import segno

    scope = scope_for(request.user)
    place = _reportable_place(place_pk)
    if not scope.can(Capability.DISPATCH_APPEALS, place):
        raise Http404
    url = request.build_absolute_uri(f"{reverse('appeals:report')}?place={place.pk}&qr=1")
    svg = segno.make(url, error="m").svg_inline(scale=8, dark="#000", light="#fff")
    return render(request, "appeals/qr_poster.html", {"place": place, "svg": svg, "url": url})


@login_required
def suggest(request):
    """htmx: the suggested category for what the resident is typing."""
    from linli.appeals.classifier import suggest_category

    place = _reportable_place(request.GET.get("place"))
    category = suggest_category(request.GET.get("description", ""), community_id=place.community_id)
    return render(request, "appeals/_suggestion.html", {"category": category})


@login_required
@require_POST
def support(request, pk):
    appeal = get_object_or_404(Appeal, pk=pk, status__in=OPEN_STATES)
    services.appeal_support(actor=request.user, appeal=appeal)
    messages.success(request, _("已附议，办理结果会同样通知您。"))
    return redirect(f"{reverse('appeals:report')}?place={appeal.place_id}")


def status(request, pk):
    """The reporter's status page (and handlers' view of the same appeal). An anonymous
    reporter sees the appeals reported from this browser session, public timeline only."""
    if not request.user.is_authenticated:
        if int(pk) not in request.session.get(MY_APPEALS, []):
            return redirect(f"{reverse('login')}?next={request.path}")
        appeal = get_object_or_404(Appeal.objects.select_related("place", "category"), pk=pk)
        return render(request, "appeals/status.html", {"appeal": appeal, "events": selectors.appeal_timeline(appeal, public_only=True)})
    scope = scope_for(request.user)
    appeal = selectors.access_appeal(scope, pk)
    is_reporter = appeal.reporter_id == request.user.pk
    staff_view = scope.can(Capability.VIEW_APPEALS, appeal) or not is_reporter
    rate_form = RateForm(request.POST or None) if is_reporter and appeal.can("rate") else None
    if request.method == "POST" and rate_form is not None and rate_form.is_valid():
        try:
            services.appeal_rate(actor=request.user, appeal=appeal, **rate_form.cleaned_data)
        except (ValidationError, PermissionDenied) as e:
            messages.error(request, " ".join(getattr(e, "messages", [str(e)])))
        else:
            messages.success(request, _("感谢您的评价。"))
        return redirect("appeals:status", pk=appeal.pk)
    return render(
        request,
        "appeals/status.html",
        {
            "appeal": appeal,
            "events": selectors.appeal_timeline(appeal, public_only=not staff_view),
            "rate_form": rate_form,
            "staff_view": staff_view,
            "actions": _available_actions(request.user, appeal) if staff_view else [],
            "handlers": _handler_choices(appeal) if scope.can(Capability.DISPATCH_APPEALS, appeal) else None,
            "levels": Level.choices,
        },
    )


@login_required
def appeal_list(request):
    scope = scope_for(request.user)
    if not scope.has(Capability.VIEW_APPEALS) and not scope.organisation_ids:
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
            "communities": [c for c in scope.communities(Capability.DISPATCH_APPEALS) if scope.can(Capability.DISPATCH_APPEALS, c)],
        },
    )


@login_required
def mine(request):
    qs = Appeal.objects.filter(reporter=request.user).select_related("category").order_by("-created_at")
    return render(request, "appeals/mine.html", {"appeals": qs[:100]})


@login_required
def photo(request, pk, photo_pk):
    """Photos are served through the scope rule, never as public media files."""
    from django.http import FileResponse

    appeal = selectors.access_appeal(scope_for(request.user), pk)
    item = get_object_or_404(appeal.photos, pk=photo_pk)
    return FileResponse(item.image.open("rb"), content_type="image/png" if item.image.name.endswith(".png") else "image/jpeg")


@login_required
def categories(request, community_pk, pk=None):
    """The community edits its own categories; the default set is shown for reference."""
    from linli.appeals.forms import CategoryForm
    from linli.appeals.models import Category

    scope = scope_for(request.user)
    community = get_object_or_404(Place, pk=community_pk, kind=PlaceKind.COMMUNITY)
    if not scope.can(Capability.DISPATCH_APPEALS, community):
        raise Http404
    category = get_object_or_404(Category, pk=pk, community=community) if pk else None
    own = selectors.categories_for(community.pk)
    form = CategoryForm(
        request.POST or None, instance=category, parents=Category.objects.filter(pk__in=own.values("pk")), handlers=scope.organisations()
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.category_save(
                actor=request.user, community=community, category=category, **{f: form.cleaned_data[f] for f in services.CATEGORY_FIELDS}
            )
        except ValidationError as e:
            for field, errs in e.message_dict.items():
                form.add_error(field if field in form.fields else None, errs)
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
    page = Paginator(selectors.public_board(community), 30).get_page(request.GET.get("page"))
    return render(request, "appeals/board.html", {"community": community, "page": page})


# ---- staff and handler actions ---------------------------------------------------------


def _available_actions(user, appeal) -> list[str]:
    scope = scope_for(user)
    dispatcher = scope.can(Capability.DISPATCH_APPEALS, appeal)
    assignee = services._is_assignee(user, appeal)
    out = []
    for action in ("accept", "reject", "dispatch", "set_level", "merge", "extend", "callback"):
        if dispatcher and appeal.can(action):
            out.append(action)
    for action in ("sign", "return"):
        if appeal.can(action) and services._is_assignee(user, appeal, states=("pending",)):
            out.append(action)
    if appeal.can("resolve") and (dispatcher or services._is_assignee(user, appeal, states=("signed",), lead_only=True)):
        out.append("resolve")
    if appeal.can("escalate") and (dispatcher or assignee):
        out.append("escalate")
    if appeal.can("supervise") and scope.can(Capability.SUPERVISE_APPEALS, appeal):
        out.append("supervise")
    if appeal.can("reopen") and dispatcher:
        out.append("reopen")
    return out


def _handler_choices(appeal):
    """People and organisations an appeal can be dispatched to: the grid's workers, the
    community's staff and building heads, and organisations serving the community."""
    roles = (
        RoleAssignment.objects.filter(role__in=[Role.GRID_WORKER, Role.GRID_LEADER, Role.BUILDING_HEAD, Role.COMMUNITY_STAFF])
        .filter(models_q_grid_or_place(appeal))
        .select_related("user")
    )
    users = {}
    for r in roles:
        users.setdefault(r.user_id, (r.user, r.get_role_display()))
    orgs = (
        Organisation.objects.filter(place__path__in=_ancestor_or_self(appeal.community))
        .exclude(kind__in=[Organisation.Kind.MERCHANT])
        .order_by("kind", "name")
    )
    return {"users": list(users.values()), "organisations": list(orgs)}


def models_q_grid_or_place(appeal):
    from django.db.models import Q

    q = Q(place_id=appeal.community_id) | Q(place__path__startswith=appeal.place.path[: Place.steplen * 5])
    if appeal.grid_id:
        q |= Q(grid_id=appeal.grid_id)
    return q


def _ancestor_or_self(place):
    step = Place.steplen
    return [place.path[:i] for i in range(step, len(place.path) + 1, step)]


@login_required
@require_POST
def act(request, pk, action):
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
        "extend": lambda: services.appeal_extend(
            actor=user, appeal=appeal, working_days=_int(p.get("working_days")), reason=p.get("reason", "")
        ),
        "supervise": lambda: services.appeal_supervise(actor=user, appeal=appeal, note=p.get("note", "")),
        "callback": lambda: services.appeal_callback(actor=user, appeal=appeal, note=p.get("note", "")),
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
    return redirect("appeals:status", pk=appeal.pk)


def _int(value) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        raise ValidationError({"working_days": _("请填写天数。")}) from None


def _merge_target(scope, number: str):
    target = scope.appeals(capability=Capability.DISPATCH_APPEALS).filter(number=number.strip()).first()
    if target is None:
        raise ValidationError({"into": _("找不到编号为%(n)s的诉求。") % {"n": number}})
    return target


def _dispatch(user, appeal, p):
    choices = _handler_choices(appeal)
    users = [u for u, _label in choices["users"] if str(u.pk) in p.getlist("users")]
    orgs = [o for o in choices["organisations"] if str(o.pk) in p.getlist("organisations")]
    lead_key = p.get("lead", "")
    lead = next((u for u in users if f"u{u.pk}" == lead_key), None) or next((o for o in orgs if f"o{o.pk}" == lead_key), None)
    return services.appeal_dispatch(actor=user, appeal=appeal, users=users, organisations=orgs, lead=lead, note=p.get("note", ""))
