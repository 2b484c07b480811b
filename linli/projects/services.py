"""Every change to projects: create (from a council resolution, appeals, or by staff), items,
money (pledges and receipts), progress with photos, start, complete, acceptance. One function
per action, keyword arguments, one transaction with the project's row lock, the permission
asked of ``access``, the audit row.

The acceptance rule: a project is handed over for acceptance only when every item is done;
a refusal names the items it rejects, which reopen, and the project goes back to work; when
every signer has signed, the project is accepted and the appeals and the resolution it answers
are resolved through their own services.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from linli.accounts.models import User
from linli.accounts.scope import scope_for
from linli.core import audit
from linli.core.errors import required_text as _text
from linli.core.images import clean_photo
from linli.core.notify import IN_APP_ONLY, notify
from linli.projects import access
from linli.projects.models import (
    Decision,
    Funding,
    FundingSource,
    FundReceipt,
    Item,
    ItemStatus,
    Progress,
    Project,
    ProjectOrigin,
    ProjectStatus,
    SignerKind,
    Signoff,
)
from linli.registry.models import Place

MAX_MONEY = Decimal("9999999999.99")


def _amount(value, field: str, *, positive: bool = True, limit: Decimal = MAX_MONEY) -> Decimal:
    try:
        amount = Decimal(str(value)).quantize(Decimal("0.01"))
    except (InvalidOperation, ValueError, TypeError):
        raise ValidationError({field: _("请填写金额或数量。")}) from None
    if not amount.is_finite() or amount > limit or amount < 0 or (positive and amount == 0):
        raise ValidationError({field: _("超出范围。")})
    return amount


def _locked(actor: User, project: Project, allowed) -> Project:
    locked = Project.objects.select_for_update(of=("self",)).select_related("community").get(pk=project.pk)
    access.require(allowed(scope_for(actor), locked))
    return locked


def project_create(
    *,
    actor: User,
    community: Place,
    title: str,
    places: list[Place],
    description: str = "",
    due_on: date | None = None,
    resolution=None,
    appeals=(),
) -> Project:
    scope = scope_for(actor)
    access.require(access.can_manage(scope, community))
    title = _text(title, "title", 100, _("请填写项目名称。"))
    if len(description or "") > 2000:
        raise ValidationError({"description": _("不能超过%(n)s个字。") % {"n": 2000}})
    places = list(places)
    if not places or any(p.pk != community.pk and p.community_id != community.pk for p in places):
        raise ValidationError({"places": _("请选择本社区内的实施地点。")})
    if resolution is not None and resolution.topic.council.community_id != community.pk:
        raise ValidationError({"resolution": _("决议须为本社区议事会的决议。")})
    if resolution is not None and not resolution.adopted:
        raise ValidationError({"resolution": _("不予采纳的决议不能立项。")})
    if resolution is not None and Project.objects.filter(resolution=resolution).exists():
        raise ValidationError({"resolution": _("该决议已立项，请在原项目中推进。")})
    appeals = list(appeals)
    if appeals:
        from linli.appeals.access import visible_appeals

        ids = {a.pk for a in appeals}
        if visible_appeals(scope).filter(pk__in=ids, community=community).count() != len(ids):
            raise ValidationError({"appeals": _("诉求须为本社区、您可查看的诉求。")})
    origin = ProjectOrigin.RESOLUTION if resolution is not None else (ProjectOrigin.APPEALS if appeals else ProjectOrigin.STAFF)
    try:
        with transaction.atomic():
            project = _create(actor, community, title, description, due_on, resolution, origin, places, appeals)
    except IntegrityError:  # two taps at once on 立项实施: the unique index lets one through
        raise ValidationError({"resolution": _("该决议已立项，请在原项目中推进。")}) from None
    return project


def _create(actor, community, title, description, due_on, resolution, origin, places, appeals) -> Project:
    with transaction.atomic():
        project = Project.objects.create(
            community=community, title=title, description=(description or "").strip(), due_on=due_on, resolution=resolution,
            origin=origin, created_by=actor,
        )  # fmt: skip
        project.places.set(places)
        if appeals:
            project.appeals.set(appeals)
        if resolution is not None:
            project.appeals.add(*resolution.topic.appeals.all())
        audit.record(actor=actor, action="create", target=project, note=origin)
    return project


def item_add(*, actor: User, project: Project, name: str, quantity, unit: str, budget=0) -> Item:
    name = _text(name, "name", 100, _("请填写内容。"))
    unit = _text(unit, "unit", 12, _("请填写单位。"))
    quantity = _amount(quantity, "quantity", limit=Decimal("99999999.99"))
    budget = _amount(budget or 0, "budget", positive=False)
    with transaction.atomic():
        locked = _locked(actor, project, access.can_edit)
        if locked.status == ProjectStatus.COMPLETED:
            raise ValidationError(_("项目已完工待验收，不能再增加内容。"))
        item = Item.objects.create(project=locked, name=name, quantity=quantity, unit=unit, budget=budget, position=locked.items.count())
        audit.record(actor=actor, action="update", target=locked, note=f"item {item.pk}")
    return item


def funding_add(*, actor: User, project: Project, source: str, funder: str, pledged, organisation=None) -> Funding:
    if source not in FundingSource.values:
        raise ValidationError({"source": _("无效的选项。")})
    funder = _text(funder, "funder", 100, _("请填写出资方。"))
    pledged = _amount(pledged, "pledged")
    with transaction.atomic():
        locked = _locked(actor, project, access.can_edit)
        if organisation is not None and not organisation.place.path.startswith(locked.community.path):
            raise ValidationError({"organisation": _("请选择本社区的单位。")})
        funding = Funding.objects.create(project=locked, source=source, funder=funder, pledged=pledged, organisation=organisation)
        audit.record(actor=actor, action="update", target=locked, changes={"pledged": [None, str(pledged)]}, note=f"funding {funding.pk}")
    return funding


def funding_receive(*, actor: User, funding: Funding, amount, received_on: date, number: str) -> FundReceipt:
    """到账: a receipt honours part of a pledge; never more than pledged (conditional UPDATE +
    CHECK), one receipt number once per source."""
    amount = _amount(amount, "amount")
    number = _text(number, "number", 40, _("请填写票据号。"))
    if not isinstance(received_on, date) or received_on > timezone.localdate():
        raise ValidationError({"received_on": _("到账日期不能晚于今天。")})
    try:
        with transaction.atomic():
            locked = _locked(actor, funding.project, access.can_edit)
            moved = Funding.objects.filter(pk=funding.pk, project=locked, received__lte=F("pledged") - amount).update(
                received=F("received") + amount
            )
            if not moved:
                raise ValidationError({"amount": _("到账金额不能超过认捐/批复金额。")})
            receipt = FundReceipt.objects.create(funding_id=funding.pk, amount=amount, received_on=received_on, number=number, by=actor)
            audit.record(actor=actor, action="update", target=locked, changes={"received": [None, str(amount)]}, note=f"receipt {number}")
    except IntegrityError:
        raise ValidationError({"number": _("该票据号已登记。")}) from None
    return receipt


def progress_record(*, actor: User, item: Item, quantity, note: str, before=None, after=None) -> Progress:
    """进度: what was done this time, with before/after photos (cleaned like appeal photos);
    the item is done when its quantity is reached."""
    quantity = _amount(quantity, "quantity", limit=Decimal("99999999.99"))
    note = _text(note, "note", 300, _("请填写说明。"))
    before_file = clean_photo(before) if before is not None else None
    after_file = clean_photo(after) if after is not None else None
    with transaction.atomic():
        locked = _locked(actor, item.project, access.can_edit)
        if locked.status not in (ProjectStatus.PLANNING, ProjectStatus.UNDERWAY):
            raise ValidationError(_("项目已完工待验收，不能再登记进度。"))
        fresh = Item.objects.select_for_update().get(pk=item.pk, project=locked)
        if fresh.done + quantity > fresh.quantity:
            raise ValidationError(
                {
                    "quantity": _("累计完成不能超过计划数量（还差%(n)s%(u)s）。")
                    % {"n": f"{(fresh.quantity - fresh.done).normalize():f}", "u": fresh.unit}
                }
            )
        fresh.done += quantity
        if fresh.done == fresh.quantity:
            fresh.status = ItemStatus.DONE
        fresh.save(update_fields=["done", "status"])
        progress = Progress(item=fresh, quantity=quantity, note=note, by=actor)
        if before_file is not None:
            progress.before_photo.save(before_file.name, before_file, save=False)
        if after_file is not None:
            progress.after_photo.save(after_file.name, after_file, save=False)
        progress.save()
        if locked.status == ProjectStatus.PLANNING:
            locked.status = ProjectStatus.UNDERWAY
            locked.save(update_fields=["status"])
        audit.record(
            actor=actor,
            action="update",
            target=locked,
            changes={"done": [str(fresh.done - quantity), str(fresh.done)]},
            note=f"item {fresh.pk}",
        )
    return progress


def item_finish(*, actor: User, item: Item, note: str) -> Item:
    """整改完成: a reopened item is done again (after the fixes the acceptance asked for)."""
    note = _text(note, "note", 300, _("请填写说明。"))
    with transaction.atomic():
        locked = _locked(actor, item.project, access.can_edit)
        fresh = Item.objects.select_for_update().get(pk=item.pk, project=locked)
        if fresh.status != ItemStatus.REOPENED:
            raise ValidationError(_("只有验收退回的内容需要登记整改。"))
        fresh.status = ItemStatus.DONE if fresh.done == fresh.quantity else ItemStatus.OPEN
        fresh.save(update_fields=["status"])
        Progress.objects.create(item=fresh, quantity=Decimal("0"), note=note, by=actor)
        audit.record(actor=actor, action="update", target=locked, note=f"fixed {fresh.pk}")
    return fresh


def signoff_add(*, actor: User, project: Project, kind: str, name: str, user: User | None = None) -> Signoff:
    if kind not in SignerKind.values:
        raise ValidationError({"kind": _("无效的选项。")})
    name = _text(name, "name", 100, _("请填写验收方名称。"))
    with transaction.atomic():
        locked = _locked(actor, project, access.can_edit)
        signoff = Signoff.objects.create(project=locked, kind=kind, name=name, user=user)
        audit.record(actor=actor, action="update", target=locked, note=f"signoff {signoff.pk}")
    return signoff


def project_complete(*, actor: User, project: Project) -> Project:
    """完工, handed over for acceptance: every item must be done and someone must accept it."""
    with transaction.atomic():
        locked = _locked(actor, project, access.can_edit)
        if locked.status not in (ProjectStatus.PLANNING, ProjectStatus.UNDERWAY):
            raise ValidationError(_("项目当前状态不能提交验收。"))
        items = list(locked.items.all())
        unfinished = [i for i in items if i.status != ItemStatus.DONE]
        if not items or unfinished:
            raise ValidationError(_("还有未完成的内容：%(i)s。") % {"i": "、".join(i.name for i in unfinished) or _("无")})
        if not locked.signoffs.exists():
            raise ValidationError(_("请先登记验收部门和居民代表。"))
        old = locked.status
        locked.status, locked.completed_at = ProjectStatus.COMPLETED, timezone.now()
        locked.save(update_fields=["status", "completed_at"])
        # A new round of acceptance: every signer decides again.
        locked.signoffs.update(decision=Decision.PENDING, reasons="", decided_at=None, recorded_by=None)
        audit.record(actor=actor, action="update", target=locked, changes={"status": [old, locked.status]})
        _tell_signers(locked)
    return locked


def _tell_signers(project: Project) -> None:
    notify(
        [s.user for s in project.signoffs.filter(user__isnull=False).select_related("user")],
        subject=_("请验收：%(t)s") % {"t": project.title},
        body=_("项目已完工，请验收。"),
        link=reverse("projects:project", args=[project.pk]),
        channels=IN_APP_ONLY,
    )


def signoff_decide(*, actor: User, signoff: Signoff, decision: str, reasons: str = "", refused_items=()) -> Signoff:
    """验收意见. A refusal gives reasons and names the items it rejects: they reopen and the
    project goes back to work. The last signature accepts the project."""
    if decision not in (Decision.SIGNED, Decision.REFUSED):
        raise ValidationError({"decision": _("无效的选项。")})
    reasons = (reasons or "").strip()
    refused_items = list(refused_items)
    if decision == Decision.REFUSED:
        reasons = _text(reasons, "reasons", 500, _("不同意验收请写明理由。"))
        if not refused_items:
            raise ValidationError({"refused_items": _("请指出需要整改的内容。")})
    with transaction.atomic():
        project = Project.objects.select_for_update(of=("self",)).select_related("community").get(pk=signoff.project_id)
        locked = Signoff.objects.select_for_update(of=("self",)).select_related("project__community").get(pk=signoff.pk)
        if locked.decision == decision and (locked.recorded_by_id or locked.user_id) == actor.pk:
            return locked  # a double tap: the decision this person already gave stands, once
        access.require(access.can_decide(scope_for(actor), actor, locked))
        if any(i.project_id != project.pk for i in refused_items):
            raise ValidationError({"refused_items": _("无效的选项。")})
        locked.decision, locked.reasons, locked.decided_at = decision, reasons[:500], timezone.now()
        locked.recorded_by = actor if locked.user_id != actor.pk else None
        locked.save()
        audit.record(actor=actor, action="update", target=project, changes={"signoff": [locked.pk, decision]}, note=reasons[:100])
        if decision == Decision.REFUSED:
            locked.refused_items.set(refused_items)
            Item.objects.filter(pk__in=[i.pk for i in refused_items]).update(status=ItemStatus.REOPENED)
            project.status, project.completed_at = ProjectStatus.UNDERWAY, None
            project.save(update_fields=["status", "completed_at"])
        elif not project.signoffs.exclude(decision=Decision.SIGNED).exists():
            _accept(actor, project)
    return locked


def _accept(actor: User, project: Project) -> None:
    from linli.appeals.services import appeal_resolve_by_project
    from linli.councils.services import resolution_done_by_project

    project.status, project.accepted_at = ProjectStatus.ACCEPTED, timezone.now()
    project.save(update_fields=["status", "accepted_at"])
    audit.record(actor=actor, action="update", target=project, changes={"status": [ProjectStatus.COMPLETED, ProjectStatus.ACCEPTED]})
    for appeal in project.appeals.all():
        if appeal.can("project_resolve"):
            appeal_resolve_by_project(actor=actor, appeal=appeal, project=project)
    if project.resolution_id:
        resolution_done_by_project(actor=actor, resolution=project.resolution, project=project)
