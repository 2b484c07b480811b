"""Thin views over notice selectors and services. What a person may not open is a 404, the same
as what does not exist; an invalid post shows the page again with the reasons and status 400."""

from __future__ import annotations

import uuid

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from linli.accounts.scope import scope_for
from linli.core.errors import post_action, run_service
from linli.core.errors import query_params as _param
from linli.notices import access, forms, selectors, services
from linli.notices.models import Group, Receipt, Reply
from linli.registry.models import CareTag, Grid, Place, Resident
from linli.registry.selectors import community_or_404 as _community


@login_required
def inbox(request):
    """通知: what reached me (urgent first, unread marked) and, for publishers, the community's
    notices with how many have read them."""
    scope = scope_for(request.user)
    page = Paginator(selectors.inbox(scope, request.user), 20).get_page(request.GET.get("page"))
    return render(
        request,
        "notices/inbox.html",
        {"page": page, "communities": access.publishing_communities(scope), "follows": scope.has(access.FOLLOW_UP_NOTICES)},
    )


def _targets(scope, community):
    out = [(f"place:{p.pk}", ("· " * max(p.depth - 3, 0)) + (p.address or p.name)) for p in access.publish_places(scope, community)]
    out += [(f"grid:{g.pk}", _("网格：%(n)s") % {"n": g.name}) for g in access.publish_grids(scope, community)]
    out += [(f"group:{g.pk}", _("群组：%(n)s") % {"n": g.name}) for g in access.publish_groups(scope, community)]
    return out


def _target_objects(community, value: str) -> dict:
    kind, _sep, pk = value.partition(":")
    model = {"place": Place, "grid": Grid, "group": Group}[kind]
    obj = model.objects.filter(pk=int(pk)).first()
    if obj is None:
        raise Http404
    return {kind: obj}


@login_required
def new(request, community_pk):
    scope = scope_for(request.user)
    community = _community(community_pk)
    targets = _targets(scope, community)
    if not targets:
        raise Http404
    initial = {"idempotency_key": uuid.uuid4().hex, "target": _param(forms.NewParams, request)["target"] or targets[0][0]}
    form = forms.NoticeForm(request.POST or None, targets=targets, initial=initial)

    def page():
        return render(request, "notices/new.html", {"form": form, "community": community})

    if request.method != "POST":
        return page()
    return post_action(
        request,
        form=form,
        call=lambda d: services.notice_publish(
            actor=request.user,
            community=community,
            title=d["title"],
            body=d["body"],
            priority=d["priority"],
            sms=d["sms"],
            idempotency_key=d["idempotency_key"],
            **_target_objects(community, d["target"]),
        )[0],
        success_url=lambda n: reverse("notices:notice", args=[n.pk]),
        rerender=page,
        ok=_("通知已发布，正在送达。"),
    )


def _notice_page(request, notice, status=200, reply_form=None):
    scope = scope_for(request.user)
    actions = access.notice_actions(scope, request.user, notice)
    context = {
        "notice": notice,
        "actions": actions,
        "figures": selectors.stairwell_figures(scope, notice) if actions["follow"] else None,
        "replies": selectors.replies(scope, request.user, notice),
        "reply_form": reply_form or forms.ReplyForm(),
        "withdraw_form": forms.WithdrawForm(),
    }
    return render(request, "notices/notice.html", context, status=status)


@login_required
def notice(request, pk):
    scope = scope_for(request.user)
    n = selectors.access_notice(scope, request.user, pk)
    services.notice_read(actor=request.user, notice=n)
    return _notice_page(request, n)


@login_required
@require_POST
def act(request, pk, action):
    scope = scope_for(request.user)
    n = selectors.access_notice(scope, request.user, pk)
    back = reverse("notices:notice", args=[n.pk])
    if action == "remind":
        run_service(request, lambda: services.notice_remind(actor=request.user, notice=n), ok=_("已提醒未读的居民。"))
        return redirect(reverse("notices:unread", args=[n.pk]) if request.POST.get("next") == "unread" else back)
    if action == "withdraw":
        form = forms.WithdrawForm(request.POST)
        return post_action(
            request, form=form, call=lambda d: services.notice_withdraw(actor=request.user, notice=n, reason=d["reason"]),
            success_url=back, rerender=lambda: _notice_page(request, n), ok=_("通知已撤回。"),
        )  # fmt: skip
    if action == "reply":
        form = forms.ReplyForm(request.POST)
        return post_action(
            request, form=form, call=lambda d: services.reply_post(actor=request.user, notice=n, text=d["text"]),
            success_url=back, rerender=lambda: _notice_page(request, n, reply_form=form), ok=_("留言已发送。"),
        )  # fmt: skip
    raise Http404


@login_required
def unread(request, pk):
    """未读名单: who in my stairwells has not read it, room by room, to follow up at the door."""
    scope = scope_for(request.user)
    n = selectors.access_notice(scope, request.user, pk)
    if not access.follows(scope, n):
        raise Http404
    params = _param(forms.UnreadParams, request)
    unit = Place.objects.filter(pk=params["unit"], kind="unit").first() if params["unit"] else None
    if params["unit"] and unit is None:
        raise Http404
    figures = selectors.stairwell_figures(scope, n)
    page = Paginator(selectors.unread(scope, n, unit), 50).get_page(params["page"])
    stairwells = {r["unit_path"]: r["unit"] for r in figures["rows"]}
    for receipt in page:  # the stairwell (单元) each group of rooms is under, named once
        stairwell = stairwells.get(receipt.unit_path)
        receipt.stairwell = (stairwell.address or stairwell.name) if stairwell else ""
    return render(
        request,
        "notices/unread.html",
        {"notice": n, "figures": figures, "page": page, "unit": unit, "can_remind": access.can_remind(scope, n)},
    )


@login_required
@require_POST
def told(request, pk):
    receipt = Receipt.objects.select_related("notice__community", "dwelling").filter(pk=pk).first()
    scope = scope_for(request.user)
    if receipt is None or not access.follows(scope, receipt.notice):
        raise Http404
    run_service(request, lambda: services.receipt_mark_told(actor=request.user, receipt=receipt), ok=_("已登记上门告知。"))
    return redirect(reverse("notices:unread", args=[receipt.notice_id]))


@login_required
@require_POST
def reply_appeal(request, pk):
    reply = Reply.objects.select_related("notice__community").filter(pk=pk).first()
    scope = scope_for(request.user)
    if reply is None or not access.can_view(scope, request.user, reply.notice):
        raise Http404
    appeal = run_service(request, lambda: services.reply_to_appeal(actor=request.user, reply=reply), ok=_("已转为诉求。"))
    if appeal is not None:
        return redirect(reverse("appeals:status", args=[appeal.pk]))
    return redirect(reverse("notices:notice", args=[reply.notice_id]))


def read_link(request, pk, signature):
    """The SMS link, without login (a wrong link is a 404): the page shows the notice and a 收到
    button; pressing it is the person's receipt (a link preview only GETs)."""
    receipt = Receipt.objects.select_related("notice__community").filter(pk=pk).first()
    if receipt is None:
        raise Http404
    try:
        if request.method == "POST":
            services.notice_read_by_link(receipt=receipt, signature=signature)
            receipt.refresh_from_db(fields=["read_at"])
        else:
            services.receipt_check_link(receipt=receipt, signature=signature)
    except PermissionDenied:
        raise Http404 from None
    return render(request, "notices/public.html", {"notice": receipt.notice, "receipt": receipt})


@login_required
def people(request, community_pk):
    """The group member picker (htmx): find people by name, pinyin or a phone's last four digits
    — never by a whole number, which is the registry's audited search — and add them one by one."""
    from linli.registry.selectors import full_number_kind

    scope = scope_for(request.user)
    community = _community(community_pk)
    if not access.can_manage(scope, community):
        raise Http404
    p = _param(forms.PeopleParams, request)
    if p["pick"]:
        person = selectors.group_candidates(scope, community).filter(pk=p["pick"]).first()
        if person is None:
            raise Http404
        return render(request, "notices/_member.html", {"r": person})
    q, found = (p["q"] or "").strip(), []
    whole_number = bool(q) and full_number_kind(q) is not None
    if q and not whole_number:
        found = list(selectors.group_candidates(scope, community, query=q)[:20])
    return render(request, "notices/_people.html", {"community": community, "q": q, "found": found, "whole_number": whole_number})


@login_required
def groups(request, community_pk):
    """The tree of groups (community, compounds, buildings, stairwells, grids) with the people
    each reaches, and the community's ad-hoc groups."""
    scope = scope_for(request.user)
    community = _community(community_pk)
    if not access.publish_places(scope, community).exists() and not access.can_manage(scope, community):
        raise Http404
    manage = access.can_manage(scope, community)
    form = forms.GroupForm(request.POST or None)

    def chosen():
        # After a refused save the picked people stay picked (read by the form's own field, so
        # they survive a refusal that names the members themselves).
        try:
            ids = forms.IdListField(required=False).clean(request.POST.getlist("members"))
        except ValidationError:
            ids = []
        return list(selectors.group_candidates(scope, community).filter(pk__in=ids)) if ids else []

    def page():
        from linli.councils.models import Council
        from linli.volunteers.models import Team

        tree = selectors.tree(community)
        publishable = {p for p, _l in _targets(scope, community)}
        for node in tree["nodes"]:
            node.can_publish = f"place:{node.pk}" in publishable
        for grid in tree["grids"]:
            grid.can_publish = f"grid:{grid.pk}" in publishable
        return render(
            request,
            "notices/groups.html",
            {
                "community": community,
                "tree": tree,
                "groups": selectors.groups(community),
                "manage": manage,
                "form": form,
                "councils": Council.objects.filter(community=community),
                "teams": Team.objects.filter(community=community),
                "tags": CareTag.objects.all(),
                "chosen": chosen(),
            },
        )

    if request.method != "POST":
        return page()
    if not manage:
        raise Http404

    def save(d):
        from linli.councils.models import Council
        from linli.volunteers.models import Team

        members = list(Resident.objects.filter(pk__in=d["members"]).select_related("household__dwelling"))
        if len(members) != len(set(d["members"])):
            raise ValidationError({"members": _("有的成员不在居民档案中。")})
        return services.group_save(
            actor=request.user,
            community=community,
            name=d["name"],
            source=d["source"],
            council=Council.objects.filter(pk=d["council"]).first() if d["council"] else None,
            team=Team.objects.filter(pk=d["team"]).first() if d["team"] else None,
            tag=CareTag.objects.filter(pk=d["tag"]).first() if d["tag"] else None,
            members=members,
        )

    return post_action(
        request, form=form, call=save, success_url=reverse("notices:groups", args=[community.pk]), rerender=page, ok=_("群组已保存。")
    )
