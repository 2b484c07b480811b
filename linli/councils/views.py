"""Thin views over council selectors and services."""

from datetime import date

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from linli.councils import selectors, services
from linli.councils.models import Meeting, Option
from linli.councils.voting import Rule
from linli.registry.models import Place, PlaceKind


def _done(request, fn, ok=None):
    try:
        fn()
    except PermissionDenied:
        raise Http404 from None
    except ValidationError as e:
        messages.error(request, "；".join(e.messages))
    else:
        messages.success(request, ok or _("已完成。"))


@login_required
def council_list(request):
    return render(request, "councils/list.html", {"councils": selectors.councils_for(request.user)})


@login_required
def council_detail(request, pk):
    council = selectors.access_council(request.user, pk)
    if request.method == "POST":
        _done(
            request,
            lambda: services.topic_propose(
                actor=request.user, council=council, title=request.POST.get("title", ""), description=request.POST.get("description", "")
            ),
            _("议题已提出。"),
        )
        return redirect("councils:detail", pk=council.pk)
    return render(
        request,
        "councils/detail.html",
        {
            "council": council,
            "topics": selectors.topics_of(council),
            "manager": services.is_manager(request.user, council),
            "meetings": council.meetings.order_by("-scheduled_at")[:20],
            "members": council.members.all() if services.is_manager(request.user, council) else [],
            "suggestions": selectors.suggested_topics(council.community) if services.is_manager(request.user, council) else [],
        },
    )


@login_required
@require_POST
def raise_to_council(request, pk):
    """Staff turn a suggestion (one building, one category) into a topic in one step."""
    council = selectors.access_council(request.user, pk)
    if not services.is_manager(request.user, council):
        raise Http404
    appeals = list(selectors.appeals_for_suggestion(council.community, request.POST.get("building", ""), request.POST.get("category") or 0))
    _done(
        request,
        lambda: services.topic_from_appeals(actor=request.user, council=council, appeals=appeals, title=request.POST.get("title", "")),
        _("已提交议事。"),
    )
    return redirect("councils:detail", pk=council.pk)


@login_required
def topic_detail(request, pk):
    topic = selectors.access_topic(request.user, pk)
    manager = services.is_manager(request.user, topic.council)
    context = {"topic": topic, "manager": manager, "rules": [r.value for r in Rule], **selectors.topic_detail(topic)}
    context["my_votes"] = {v.pk: services.voter_key_for(request.user, v) for v in context["votes"] if v.status == "open"}
    context["meetings"] = topic.council.meetings.order_by("-scheduled_at")[:10] if manager else []
    return render(request, "councils/topic.html", context)


@login_required
@require_POST
def topic_act(request, pk, action):
    topic = selectors.access_topic(request.user, pk)
    p, u = request.POST, request.user
    calls = {
        "support": lambda: services.topic_support(actor=u, topic=topic),
        "comment": lambda: services.topic_comment(actor=u, topic=topic, text=p.get("text", "")),
        "advance": lambda: services.topic_advance(actor=u, topic=topic, note=p.get("note", "")),
        "option": lambda: services.option_add(actor=u, topic=topic, title=p.get("title", ""), description=p.get("description", "")),
        "vote_open": lambda: services.vote_open(
            actor=u,
            topic=topic,
            rule=p.get("rule", ""),
            option=Option.objects.filter(topic=topic, pk=p.get("option") or 0).first(),
            meeting=Meeting.objects.filter(council=topic.council, pk=p.get("meeting") or 0).first(),
            secret=bool(p.get("secret")),
        ),
        "resolution": lambda: services.resolution_publish(
            actor=u,
            topic=topic,
            decision=p.get("decision", ""),
            responsible=p.get("responsible", ""),
            due_on=parse_date(p.get("due_on", "")) or date.today(),
            notice_days=int(p.get("notice_days") or 7),
        ),
        "progress": lambda: services.resolution_progress(
            actor=u, resolution=topic.resolution, note=p.get("note", ""), done=bool(p.get("done"))
        ),
    }
    if action not in calls:
        raise Http404
    _done(request, calls[action])
    return redirect("councils:topic", pk=topic.pk)


@login_required
@require_POST
def vote_act(request, pk, action):
    from linli.councils.models import Vote

    vote = get_object_or_404(Vote.objects.select_related("topic__council"), pk=pk)
    selectors.access_topic(request.user, vote.topic_id)
    if action == "cast":
        _done(
            request,
            lambda: services.ballot_cast(
                actor=request.user, vote=vote, choice=request.POST.get("choice", ""), voter_key=request.POST.get("voter_key") or None
            ),
            _("已投票。"),
        )
    elif action == "close":
        _done(request, lambda: services.vote_close(actor=request.user, vote=vote), _("已计票。"))
    else:
        raise Http404
    return redirect("councils:topic", pk=vote.topic_id)


@login_required
def meeting_detail(request, pk):
    meeting = selectors.access_meeting(request.user, pk)
    manager = services.is_manager(request.user, meeting.council)
    if request.method == "POST" and manager:
        if "minutes" in request.POST:
            _done(request, lambda: services.meeting_minutes(actor=request.user, meeting=meeting, minutes=request.POST["minutes"]))
        for member in meeting.council.members.filter(pk__in=request.POST.getlist("present")):
            services.meeting_sign_in(actor=request.user, meeting=meeting, member=member)
        return redirect("councils:meeting", pk=meeting.pk)
    present = set(meeting.attendance.values_list("member_id", flat=True))
    return render(
        request,
        "councils/meeting.html",
        {
            "meeting": meeting,
            "manager": manager,
            "members": meeting.council.members.all(),
            "present": present,
            "sign_in_url": request.build_absolute_uri(f"/councils/meetings/{meeting.pk}/sign-in/"),
            "sign_in_qr": _qr_svg(request.build_absolute_uri(f"/councils/meetings/{meeting.pk}/sign-in/")) if manager else "",
        },
    )


def _qr_svg(url: str) -> str:
    import segno

    return segno.make(url, error="m").svg_inline(scale=5)


@login_required
def meeting_sign_in(request, pk):
    """The QR at the door opens this page; a member signs in with one tap."""
    meeting = selectors.access_meeting(request.user, pk)
    if request.method == "POST":
        _done(
            request,
            lambda: services.meeting_sign_in(actor=request.user, meeting=meeting, code=request.POST.get("code", "")),
            _("签到成功。"),
        )
        return redirect("councils:meeting", pk=meeting.pk)
    return render(request, "councils/sign_in.html", {"meeting": meeting})


@login_required
def meeting_new(request, council_pk):
    council = selectors.access_council(request.user, council_pk)
    if request.method == "POST":
        when = parse_datetime(request.POST.get("scheduled_at", ""))
        if when is None:
            messages.error(request, _("请填写会议时间。"))
        else:
            from django.utils import timezone

            if timezone.is_naive(when):
                when = timezone.make_aware(when)
            _done(
                request,
                lambda: services.meeting_schedule(
                    actor=request.user,
                    council=council,
                    kind=request.POST.get("kind", "matter"),
                    title=request.POST.get("title", ""),
                    scheduled_at=when,
                    location=request.POST.get("location", ""),
                    topics=council.topics.filter(pk__in=request.POST.getlist("topics")),
                ),
            )
    return redirect("councils:detail", pk=council.pk)


def public(request, community_pk):
    """议事公开: open topics, coming meetings, resolutions and progress — no personal data."""
    community = get_object_or_404(Place, pk=community_pk, kind=PlaceKind.COMMUNITY)
    return render(request, "councils/public.html", {"community": community, **selectors.public_page(community)})
