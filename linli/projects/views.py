"""Thin views over project selectors and services. The project page is public (anyone may read
items, progress, money and acceptance); changes are for staff and for each signer's own line."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from linli.accounts.scope import scope_for
from linli.core.errors import post_action
from linli.core.errors import query_params as _param
from linli.projects import access, forms, selectors, services
from linli.projects.models import Funding, Item, Progress, Signoff
from linli.registry.models import Place
from linli.registry.selectors import community_or_404 as _community


@login_required
def home(request):
    scope = scope_for(request.user)
    managed = access.managed_communities(scope)
    mine = access.signoffs_for(request.user).select_related("project")
    community_id = request.user.resident.household.dwelling.community_id if request.user.resident_id else None
    if not managed and not mine and community_id:
        return redirect("projects:list", community_pk=community_id)
    return render(request, "projects/home.html", {"managed": [(c, selectors.projects_of(c)) for c in managed], "mine": mine})


def project_list(request, community_pk):
    community = _community(community_pk)
    return render(request, "projects/list.html", {"community": community, "projects": selectors.projects_of(community)})


def _places(community):
    return [(p.pk, p.address or p.name) for p in selectors.project_places(community)]


@login_required
def new(request, community_pk):
    scope = scope_for(request.user)
    community = _community(community_pk)
    if not access.can_manage(scope, community):
        raise Http404
    resolution = None
    rid = _param(forms.NewParams, request)["resolution"]
    if rid:
        from linli.councils.models import Resolution

        resolution = Resolution.objects.select_related("topic__council").filter(pk=rid, topic__council__community=community).first()
        if resolution is None:
            raise Http404
    initial = {"title": resolution.decision[:100], "due_on": resolution.due_on} if resolution else {}
    form = forms.ProjectForm(request.POST or None, places=_places(community), initial=initial)

    def page():
        return render(request, "projects/new.html", {"form": form, "community": community, "resolution": resolution})

    if request.method != "POST":
        return page()
    return post_action(
        request,
        form=form,
        call=lambda d: services.project_create(
            actor=request.user,
            community=community,
            title=d["title"],
            description=d["description"],
            due_on=d["due_on"],
            places=list(Place.objects.filter(pk__in=d["places"])),
            resolution=resolution,
        ),
        success_url=lambda p: reverse("projects:project", args=[p.pk]),
        rerender=page,
        ok=_("项目已立项，请登记内容和资金。"),
    )


def _decide_form(project, data=None):
    return forms.DecideForm(data, items=[(i.pk, i.name) for i in project.items.all()])


def _project_page(request, project, **forms_in):
    scope = scope_for(request.user)
    context = {
        "project": project,
        **selectors.page(project),
        "appeals": selectors.answered_appeals(project, scope=scope),
        "edit": access.can_edit(scope, project),
        "deciding": [s for s in project.signoffs.select_related("project__community") if access.can_decide(scope, request.user, s)],
        "item_form": forms_in.get("item") or forms.ItemForm(),
        "funding_form": forms_in.get("funding") or forms.FundingForm(),
        "receive_form": forms_in.get("receive") or forms.ReceiveForm(),
        "progress_form": forms_in.get("progress") or forms.ProgressForm(),
        "signoff_form": forms_in.get("signoff") or forms.SignoffForm(),
        "decide_form": forms_in.get("decide") or _decide_form(project),
    }
    return render(request, "projects/project.html", context)


def project(request, pk):
    return _project_page(request, selectors.project_or_404(pk))


def _of(model, pk, **kw):
    obj = model.objects.filter(pk=pk, **kw).first()
    if obj is None:
        raise ValidationError(_("无效的选项。"))
    return obj


@login_required
@require_POST
def act(request, pk, action):
    p = selectors.project_or_404(pk)
    u = request.user
    User = get_user_model()

    def signer(d):
        user = User.objects.filter(username=d["username"]).first() if d["username"] else None
        if d["username"] and user is None:
            raise ValidationError({"username": _("没有这个账号。")})
        return services.signoff_add(actor=u, project=p, kind=d["kind"], name=d["name"], user=user)

    handlers = {
        "item": (
            forms.ItemForm,
            lambda d: services.item_add(
                actor=u, project=p, name=d["name"], quantity=d["quantity"], unit=d["unit"], budget=d["budget"] or 0
            ),
        ),
        "funding": (
            forms.FundingForm,
            lambda d: services.funding_add(actor=u, project=p, source=d["source"], funder=d["funder"], pledged=d["pledged"]),
        ),
        "receive": (
            forms.ReceiveForm,
            lambda d: services.funding_receive(
                actor=u, funding=_of(Funding, d["funding"], project=p), amount=d["amount"], received_on=d["received_on"], number=d["number"]
            ),
        ),
        "progress": (
            forms.ProgressForm,
            lambda d: services.progress_record(
                actor=u, item=_of(Item, d["item"], project=p), quantity=d["quantity"], note=d["note"], before=d["before"], after=d["after"]
            ),
        ),
        "finish": (forms.FinishForm, lambda d: services.item_finish(actor=u, item=_of(Item, d["item"], project=p), note=d["note"])),
        "signoff": (forms.SignoffForm, signer),
        "complete": (forms.EmptyForm, lambda d: services.project_complete(actor=u, project=p)),
        "decide": (
            None,
            lambda d: services.signoff_decide(
                actor=u,
                signoff=_of(Signoff, d["signoff"], project=p),
                decision=d["decision"],
                reasons=d["reasons"],
                refused_items=list(Item.objects.filter(project=p, pk__in=d["items"])),
            ),
        ),
    }
    if action not in handlers:
        raise Http404
    form_class, call = handlers[action]
    form = _decide_form(p, request.POST) if action == "decide" else form_class(request.POST, request.FILES)
    return post_action(
        request, form=form, call=call, success_url=reverse("projects:project", args=[p.pk]),
        rerender=lambda: _project_page(request, p, **{action: form}),
    )  # fmt: skip


def photo(request, pk, which):
    """Progress photos are part of the public page (they show stairwells, not people)."""
    progress = Progress.objects.filter(pk=pk).first()
    if progress is None or which not in ("before", "after"):
        raise Http404
    f = progress.before_photo if which == "before" else progress.after_photo
    if not f:
        raise Http404
    return FileResponse(f.open("rb"), content_type="image/jpeg")
