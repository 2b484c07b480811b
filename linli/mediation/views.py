"""Thin views over mediation selectors and services. A case anyone may not see is a 404, the
same as one that does not exist; an invalid post shows the page again with the reasons, 400."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from linli.accounts.scope import scope_for
from linli.core.errors import post_action
from linli.core.errors import query_params as _param
from linli.core.files import private_image
from linli.mediation import access, forms, selectors, services
from linli.mediation.models import Mediator
from linli.registry.models import Place
from linli.registry.selectors import community_or_404 as _community


@login_required
def home(request):
    scope = scope_for(request.user)
    cases = selectors.case_list(scope, request.user)
    communities = Place.objects.filter(pk__in=access.overseen_communities(scope, request.user) | access.roster_communities(request.user))
    figures = access.figure_places(scope, request.user)
    if not communities and not figures.exists() and not cases.exists():
        raise Http404
    page = Paginator(cases, 20).get_page(request.GET.get("page"))
    return render(request, "mediation/home.html", {"page": page, "communities": communities, "figure_places": figures})


@login_required
def new(request, community_pk):
    scope = scope_for(request.user)
    community = _community(community_pk)
    if not access.can_open(scope, request.user, community):
        raise Http404
    appeal = None
    appeal_pk = _param(forms.NewParams, request)["appeal"]
    if appeal_pk:
        from linli.appeals.access import visible_appeals

        appeal = visible_appeals(scope).filter(pk=appeal_pk, community=community).first()
        if appeal is None:
            raise Http404
    initial = {"summary": appeal.description, "kind": "neighbour"} if appeal else {}
    form = forms.CaseForm(request.POST or None, initial=initial)

    def page():
        return render(request, "mediation/new.html", {"form": form, "community": community, "appeal": appeal})

    if request.method != "POST":
        return page()

    def open_case(d):
        parties = [{"side": "applicant", "name": d["applicant"], "note": d["applicant_note"]}]
        if d["respondent"]:
            parties.append({"side": "respondent", "name": d["respondent"], "note": d["respondent_note"]})
        return services.case_open(
            actor=request.user, community=community, kind=d["kind"], summary=d["summary"], appeal=appeal, parties=parties,
            source="found" if d["found"] else "walk_in",
        )  # fmt: skip

    return post_action(
        request, form=form, call=open_case, success_url=lambda c: reverse("mediation:case", args=[c.pk]), rerender=page,
        ok=_("已受理调解申请。"),
    )  # fmt: skip


def _case_page(request, case, status=200, **forms_in):
    scope = scope_for(request.user)
    actions = access.case_actions(scope, request.user, case)
    context = {
        "case": case,
        "actions": actions,
        "parties": case.parties.select_related("resident"),
        "assignments": case.assignments.select_related("mediator"),
        "sessions": case.sessions.select_related("recorded_by"),
        "follow_ups": case.follow_ups.select_related("by"),
        "roster": Mediator.objects.filter(community=case.community, active=True) if actions["assign"] else [],
        "party_form": forms_in.get("party") or forms.PartyForm(),
        "session_form": forms_in.get("session") or forms.SessionForm(),
        "agreement_form": forms_in.get("agreement") or forms.AgreementForm(),
        "close_form": forms_in.get("close") or forms.CloseForm(),
        "follow_form": forms_in.get("follow_up") or forms.FollowUpForm(),
    }
    return render(request, "mediation/case.html", context, status=status)


@login_required
def case(request, pk):
    return _case_page(request, selectors.access_case(scope_for(request.user), request.user, pk))


@login_required
@require_POST
def act(request, pk, action):
    c = selectors.access_case(scope_for(request.user), request.user, pk)
    u = request.user
    handlers = {
        "party": (forms.PartyForm, lambda d: services.case_add_party(actor=u, case=c, side=d["side"], name=d["name"], note=d["note"])),
        "assign": (forms.AssignForm, lambda d: services.case_assign(actor=u, case=c, mediator=_mediator(c, d["mediator"]), lead=d["lead"])),
        "session": (
            forms.SessionForm,
            lambda d: services.case_session(actor=u, case=c, held_on=d["held_on"], location=d["location"], notes=d["notes"]),
        ),
        "agreement": (
            forms.AgreementForm,
            lambda d: services.case_agree(actor=u, case=c, text=d["text"], signed_on=d["signed_on"], scan=d["scan"]),
        ),
        "close": (forms.CloseForm, lambda d: services.case_close(actor=u, case=c, status=d["status"], outcome=d["outcome"])),
        "follow_up": (
            forms.FollowUpForm,
            lambda d: services.case_follow_up(actor=u, case=c, visited_on=d["visited_on"], holds=d["holds"], notes=d["notes"]),
        ),
    }
    if action not in handlers:
        raise Http404
    form_class, call = handlers[action]
    form = form_class(request.POST, request.FILES)
    return post_action(
        request, form=form, call=call, success_url=reverse("mediation:case", args=[c.pk]),
        rerender=lambda: _case_page(request, c, **{action: form}),
    )  # fmt: skip


def _mediator(case, pk):
    mediator = Mediator.objects.filter(pk=pk, community=case.community).first()
    if mediator is None:
        raise ValidationError({"mediator": _("请选择本社区名册上的调解员。")})
    return mediator


@login_required
def scan(request, pk):
    c = selectors.access_case(scope_for(request.user), request.user, pk)
    if not c.agreement_scan:
        raise Http404
    return private_image(c.agreement_scan)


@login_required
def roster(request, community_pk):
    scope = scope_for(request.user)
    community = _community(community_pk)
    if not access.can_manage_roster(scope, community):
        raise Http404
    form = forms.RosterForm(request.POST or None)

    def page():
        return render(request, "mediation/roster.html", {"community": community, "roster": selectors.roster(community), "form": form})

    if request.method != "POST":
        return page()

    def add(d):
        user = get_user_model().objects.filter(username=d["username"]).first()
        if user is None:
            raise ValidationError({"username": _("没有这个账号。")})
        return services.mediator_add(actor=request.user, community=community, user=user, kind=d["kind"], name=d["name"])

    return post_action(request, form=form, call=add, success_url=reverse("mediation:roster", args=[community.pk]), rerender=page)


@login_required
def figures(request, place_pk):
    scope = scope_for(request.user)
    place = Place.objects.filter(pk=place_pk).first()
    if place is None or not access.can_view_figures(scope, request.user, place):
        raise Http404
    return render(request, "mediation/figures.html", {"place": place, "figures": selectors.figures(place)})
