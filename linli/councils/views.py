"""Thin views over council selectors and services. Every post goes through a form (shape) and a
service (rules); an invalid post re-renders its page with the reasons and status 400."""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from linli.accounts.scope import scope_for
from linli.core import offers
from linli.core.errors import post_action
from linli.councils import access, forms, selectors, services
from linli.councils.models import CouncilRule
from linli.registry.access import communities
from linli.registry.models import Place, PlaceKind


@login_required
def council_list(request):
    from django.core.paginator import Paginator

    scope = scope_for(request.user)
    page = Paginator(selectors.councils_for(request.user), 20).get_page(request.GET.get("page"))
    rules = communities(scope, access.MANAGE_COUNCILS).order_by("path")[:20] if scope.has(access.MANAGE_COUNCILS) else []
    return render(request, "councils/list.html", {"councils": page, "page": page, "rule_communities": rules})


def _council_page(request, council):
    scope = scope_for(request.user)
    manager = access.is_manager(scope, request.user, council)
    topics = list(selectors.topics_of(council))
    for t in topics:
        t.council = council
        t.may_support = access.can_support(scope, request.user, t)
    return render(
        request,
        "councils/detail.html",
        {
            "council": council,
            "topics": topics,
            "manager": manager,
            "may_propose": access.can_propose(scope, request.user, council),
            "meetings": council.meetings.order_by("-scheduled_at")[:20],
            "members": council.members.all() if manager else [],
            "suggestions": selectors.suggested_topics(council) if manager else [],
            "propose_form": forms.TopicProposeForm(),
            "meeting_form": forms.MeetingForm(council=council) if manager else None,
        },
    )


@login_required
def council_detail(request, pk):
    council = selectors.access_council(request.user, pk)
    if request.method == "POST":
        return post_action(
            request,
            form=forms.TopicProposeForm(request.POST),
            call=lambda d: services.topic_propose(actor=request.user, council=council, **d),
            success_url=reverse("councils:detail", args=[council.pk]),
            rerender=lambda: _council_page(request, council),
            ok=_("议题已提出。"),
        )
    return _council_page(request, council)


@login_required
@require_POST
def raise_to_council(request, pk):
    """Staff turn a suggestion (one building, one category) into a topic in one step."""
    council = selectors.access_council(request.user, pk)
    if not access.can_manage(scope_for(request.user), request.user, council):
        raise Http404

    def call(d):
        appeals = list(selectors.appeals_for_suggestion(council, d["building"], d["category"]))
        return services.topic_from_appeals(actor=request.user, council=council, appeals=appeals, title=d["title"])

    return post_action(
        request,
        form=forms.RaiseForm(request.POST),
        call=call,
        success_url=reverse("councils:detail", args=[council.pk]),
        rerender=lambda: _council_page(request, council),
        ok=_("已提交议事。"),
    )


def _topic_page(request, topic):
    scope = scope_for(request.user)
    manager = access.is_manager(scope, request.user, topic.council)
    context = {
        "topic": topic,
        "manager": manager,
        "actions": access.topic_actions(scope, request.user, topic),
        "rules": services.RULE_CHOICES,
        **selectors.topic_detail(topic),
    }
    votes = list(context["votes"])
    for v in votes:
        v.topic = topic
        v.my_key = services.voter_key_for(request.user, v) if v.status == "open" else None
        v.my_ballot = v.ballots.filter(voter_key=v.my_key).first() if v.my_key else None
        v.may_record = access.can_record_paper_ballot(scope, request.user, v)
        v.may_close = access.can_close_vote(scope, request.user, v)
        if v.may_record:
            v.paper_form = forms.BallotForm(vote=v)
            v.paper_dwellings = services.paper_dwellings(v) if v.rule in services.OWNER_RULES else []
    context["votes"] = votes
    context["resolution_form"] = forms.ResolutionForm(topic=topic) if "resolution" in context["actions"] else None
    context["meetings"] = topic.council.meetings.order_by("-scheduled_at")[:10] if manager else []
    rule = CouncilRule.for_community(topic.council.community_id)
    context["step_min_days"], context["earliest_advance"] = rule.min_days(topic.step), rule.earliest_advance(topic)
    context["vote_compounds"] = selectors.vote_compounds(topic.council) if "vote_open" in context["actions"] else []
    # 立项实施 and whatever else other domains offer on an adopted resolution, each on its own permission.
    resolution = context["resolution"]
    context["offers"] = (
        offers.offers(offers.RESOLUTION, scope=scope, user=request.user, topic=topic, resolution=resolution) if resolution else []
    )
    return render(request, "councils/topic.html", context)


@login_required
def topic_detail(request, pk):
    return _topic_page(request, selectors.access_topic(request.user, pk))


# action -> (form, call(user, topic, cleaned data), message)
TOPIC_ACTIONS = {
    "support": (forms.NoteForm, lambda u, t, d: services.topic_support(actor=u, topic=t), _("已附议。")),
    "comment": (forms.CommentForm, lambda u, t, d: services.topic_comment(actor=u, topic=t, text=d["text"]), _("意见已提交。")),
    "advance": (forms.NoteForm, lambda u, t, d: services.topic_advance(actor=u, topic=t, note=d["note"]), None),
    "option": (forms.OptionForm, lambda u, t, d: services.option_add(actor=u, topic=t, **d), None),
    "vote_open": (
        forms.VoteOpenForm,
        lambda u, t, d: services.vote_open(
            actor=u, topic=t, rule=d["rule"], option=d["option"], meeting=d["meeting"], compound=d["compound"], secret=d["secret"]
        ),
        _("表决已发起。"),
    ),
    "resolution": (forms.ResolutionForm, lambda u, t, d: services.resolution_publish(actor=u, topic=t, **d), _("决议已发布。")),
    "progress": (
        forms.ProgressForm,
        lambda u, t, d: services.resolution_progress(actor=u, resolution=t.resolution, note=d["note"], done=d["done"]),
        None,
    ),
}


@login_required
@require_POST
def topic_act(request, pk, action):
    topic = selectors.access_topic(request.user, pk)
    if action not in TOPIC_ACTIONS:
        raise Http404
    form_class, call, ok = TOPIC_ACTIONS[action]
    if action == "progress" and not hasattr(topic, "resolution"):
        raise Http404
    form = form_class(request.POST, topic=topic) if form_class in (forms.VoteOpenForm, forms.ResolutionForm) else form_class(request.POST)
    return post_action(
        request,
        form=form,
        call=lambda d: call(request.user, topic, d),
        success_url=reverse("councils:topic", args=[topic.pk]),
        rerender=lambda: _topic_page(request, topic),
        ok=ok,
    )


@login_required
@require_POST
def vote_act(request, pk, action):
    vote = selectors.access_vote(request.user, pk)
    topic_url = reverse("councils:topic", args=[vote.topic_id])
    if action == "cast":
        return post_action(
            request,
            form=forms.BallotForm(request.POST, vote=vote),
            call=lambda d: services.ballot_cast(actor=request.user, vote=vote, choice=d["choice"], voter_key=_paper_key(vote, d)),
            success_url=topic_url,
            rerender=lambda: _topic_page(request, vote.topic),
            ok=_("已投票。"),
        )
    if action == "close":
        return post_action(
            request,
            form=forms.NoteForm(request.POST),
            call=lambda d: services.vote_close(actor=request.user, vote=vote),
            success_url=topic_url,
            rerender=lambda: _topic_page(request, vote.topic),
            ok=_("已计票。"),
        )
    raise Http404


def _paper_key(vote, data) -> str | None:
    """A paper ballot names a member present or a dwelling; one's own ballot names no one."""
    from linli.registry.models import Place, PlaceKind

    if data.get("member"):
        return services.paper_voter_key(vote, member=data["member"])
    if data.get("dwelling"):
        dwelling = Place.objects.filter(kind=PlaceKind.DWELLING, address=data["dwelling"].strip()).first()
        return services.paper_voter_key(vote, dwelling=dwelling)
    return None


def _meeting_page(request, meeting):
    manager = access.is_manager(scope_for(request.user), request.user, meeting.council)
    sign_in_url = request.build_absolute_uri(reverse("councils:sign_in", args=[meeting.pk]))
    return render(
        request,
        "councils/meeting.html",
        {
            "meeting": meeting,
            "manager": manager,
            "members": meeting.council.members.all(),
            "present": set(meeting.attendance.values_list("member_id", flat=True)),
            "sign_in_url": sign_in_url,
            "sign_in_qr": _qr_svg(sign_in_url) if manager else "",
        },
    )


@login_required
def meeting_detail(request, pk):
    meeting = selectors.access_meeting(request.user, pk)
    if request.method == "POST":
        if not access.can_manage(scope_for(request.user), request.user, meeting.council):
            raise Http404
        return post_action(
            request,
            form=forms.AttendanceForm(request.POST, meeting=meeting),
            call=lambda d: services.meeting_record(actor=request.user, meeting=meeting, minutes=d["minutes"], present=d["present"]),
            success_url=reverse("councils:meeting", args=[meeting.pk]),
            rerender=lambda: _meeting_page(request, meeting),
        )
    return _meeting_page(request, meeting)


def _qr_svg(url: str) -> str:
    import segno

    return segno.make(url, error="m").svg_inline(scale=5)


@login_required
def meeting_sign_in(request, pk):
    """The QR at the door opens this page; a member signs in with one tap."""
    meeting = selectors.access_meeting(request.user, pk)
    if request.method == "POST":
        return post_action(
            request,
            form=forms.SignInForm(request.POST),
            call=lambda d: services.meeting_sign_in(actor=request.user, meeting=meeting, code=d["code"]),
            success_url=reverse("councils:meeting", args=[meeting.pk]),
            rerender=lambda: render(request, "councils/sign_in.html", {"meeting": meeting}),
            ok=_("签到成功。"),
        )
    return render(request, "councils/sign_in.html", {"meeting": meeting})


@login_required
@require_POST
def meeting_new(request, council_pk):
    council = selectors.access_council(request.user, council_pk)
    return post_action(
        request,
        form=forms.MeetingForm(request.POST, council=council),
        call=lambda d: services.meeting_schedule(actor=request.user, council=council, **d),
        success_url=reverse("councils:detail", args=[council.pk]),
        rerender=lambda: _council_page(request, council),
    )


def public(request, community_pk):
    """议事公开: open topics, coming meetings, resolutions and progress — no personal data."""
    community = get_object_or_404(Place, pk=community_pk, kind=PlaceKind.COMMUNITY)
    return render(request, "councils/public.html", {"community": community, **selectors.public_page(community)})


def public_topic(request, pk):
    """One topic on the public council page: the matter, its options, votes with their
    arithmetic, the resolution and its progress — no personal data."""
    return render(request, "councils/public_topic.html", {"topic": selectors.public_topic(pk)})


# ---- setting councils up: the community's staff create them and keep their members ---------------------


@login_required
def council_rule(request, community_pk):
    """议事程序时限: the community's minimum step durations, for all its councils."""
    community = get_object_or_404(communities(scope_for(request.user), access.MANAGE_COUNCILS), pk=community_pk)
    rule = CouncilRule.for_community(community.pk)
    form = forms.CouncilRuleForm(request.POST or None, initial={"comment_days": rule.comment_days, "deliberate_days": rule.deliberate_days})

    def page():
        return render(request, "councils/rule_form.html", {"form": form, "community": community})

    if request.method != "POST":
        return page()
    return post_action(
        request,
        form=form,
        call=lambda d: services.council_rule_save(actor=request.user, community=community, **d),
        success_url=reverse("councils:rule", args=[community.pk]),
        rerender=page,
        ok=_("议事程序时限已保存，本社区所有议事会按此执行。"),
    )


@login_required
def council_new(request):
    scope = scope_for(request.user)
    mine = communities(scope, access.MANAGE_COUNCILS).order_by("path")
    if not scope.has(access.MANAGE_COUNCILS) or not mine.exists():
        raise Http404
    compounds = Place.objects.filter(kind=PlaceKind.COMPOUND, community__in=mine).order_by("path")
    form = forms.CouncilForm(request.POST or None, communities=mine, compounds=compounds, initial={"community": mine.first()})

    def page():
        return render(request, "councils/council_form.html", {"form": form})

    if request.method != "POST":
        return page()
    return post_action(
        request,
        form=form,
        call=lambda d: services.council_create(actor=request.user, **d),
        success_url=lambda council: reverse("councils:members", args=[council.pk]),
        rerender=page,
        ok=_("议事会已设立，请添加成员。"),
    )


@login_required
def council_members(request, pk):
    """The council's members: add one (with their account when they have one), or one leaves."""
    from linli.accounts.models import User

    council = selectors.access_council(request.user, pk)
    if not access.is_manager(scope_for(request.user), request.user, council):
        raise Http404
    form = forms.MemberForm(request.POST if request.POST.get("op") == "add" else None)
    here = reverse("councils:members", args=[council.pk])

    def page():
        return render(
            request, "councils/members.html", {"council": council, "members": council.members.select_related("user"), "form": form}
        )

    if request.method != "POST":
        return page()
    if request.POST.get("op") == "add":

        def add(d):
            user = None
            if d["username"]:
                user = User.objects.filter(username__iexact=d["username"].strip()).first()
                if user is None:
                    raise ValidationError({"username": _("没有这个账号。")})
            return services.member_add(actor=request.user, council=council, name=d["name"], role=d["role"], user=user)

        return post_action(request, form=form, call=add, success_url=here, rerender=page, ok=_("已添加。"))
    if request.POST.get("op") == "remove":
        from django import forms as django_forms

        member = selectors._get(council.members.all(), request.POST.get("member"))
        return post_action(
            request,
            form=django_forms.Form(request.POST),
            call=lambda d: services.member_remove(actor=request.user, member=member),
            success_url=here,
            rerender=page,
            ok=_("已移出。"),
        )
    raise Http404
