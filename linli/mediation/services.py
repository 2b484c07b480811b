"""Every change to mediation: the roster, opening a case (walk-in or from an appeal), parties,
mediators, sessions, the agreement with its signed scan, closing, follow-up visits. One function
per action, keyword arguments, one transaction with the case's row lock, the permission asked of
``access``, the audit row — which names the case by number only, never a party."""

from __future__ import annotations

from datetime import date

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from linli.accounts.models import User
from linli.accounts.scope import scope_for
from linli.core import audit
from linli.core.errors import required_text as _text
from linli.core.images import clean_photo
from linli.mediation import access
from linli.mediation.models import (
    Case,
    CaseKind,
    CaseMediator,
    CaseSource,
    CaseStatus,
    FollowUp,
    Mediator,
    MediatorKind,
    Party,
    PartySide,
    Session,
)
from linli.registry.models import Place, Resident


def _forget_roster(user) -> None:
    user.__dict__.pop("_linli_mediation_roster", None)


def mediator_add(*, actor: User, community: Place, user: User, kind: str, name: str = "") -> Mediator:
    """调解员名册: the secretary adds a person (with an account) to the community's roster."""
    access.require(access.can_manage_roster(scope_for(actor), community))
    if kind not in MediatorKind.values:
        raise ValidationError({"kind": _("无效的选项。")})
    name = _text(name or user.display_name or user.username, "name", 50, _("请填写姓名。"))
    with transaction.atomic():
        mediator, created = Mediator.objects.get_or_create(community=community, user=user, defaults={"name": name, "kind": kind})
        if not created:
            mediator.name, mediator.kind, mediator.active = name, kind, True
            mediator.save(update_fields=["name", "kind", "active"])
        audit.record(actor=actor, action="create" if created else "update", target=mediator, note=kind)
    _forget_roster(user)
    return mediator


def mediator_retire(*, actor: User, mediator: Mediator) -> Mediator:
    access.require(access.can_manage_roster(scope_for(actor), mediator.community))
    with transaction.atomic():
        Mediator.objects.filter(pk=mediator.pk).update(active=False)
        audit.record(actor=actor, action="update", target=mediator, changes={"active": [True, False]})
    mediator.active = False
    return mediator


def case_open(
    *,
    actor: User,
    community: Place,
    kind: str,
    summary: str,
    source: str = CaseSource.WALK_IN,
    appeal=None,
    place: Place | None = None,
    parties: list[dict] | None = None,
) -> Case:
    """受理: a walk-in application, a dispute found on a visit, or an appeal (邻里纠纷 and the
    like) taken into mediation — one case per appeal. Whoever opens it from the roster leads it."""
    scope = scope_for(actor)
    access.require(access.can_open(scope, actor, community))
    if kind not in CaseKind.values:
        raise ValidationError({"kind": _("无效的选项。")})
    if source not in CaseSource.values:
        raise ValidationError({"source": _("无效的选项。")})
    summary = _text(summary, "summary", 2000, _("请写明纠纷简况。"))
    if appeal is not None:
        from linli.appeals.access import visible_appeals

        access.require(appeal.community_id == community.pk and visible_appeals(scope).filter(pk=appeal.pk).exists())
        source, place = CaseSource.APPEAL, place or appeal.place
    if place is not None and place.community_id != community.pk:
        raise ValidationError({"place": _("地点须在本社区。")})
    parties = parties or []
    if not parties:
        raise ValidationError({"parties": _("请至少登记一方当事人。")})
    for p in parties:
        if p.get("side") not in PartySide.values or not (p.get("name") or "").strip():
            raise ValidationError({"parties": _("当事人须有姓名和身份。")})
    try:
        with transaction.atomic():
            case = Case.objects.create(
                community=community, kind=kind, source=source, appeal=appeal, place=place, summary=summary, opened_by=actor
            )
            for p in parties:
                resident = p.get("resident")
                if resident is not None and resident.household.dwelling.community_id != community.pk:
                    raise ValidationError({"parties": _("当事人档案须在本社区。")})
                Party.objects.create(
                    case=case, side=p["side"], name=p["name"].strip()[:50], resident=resident, note=(p.get("note") or "")[:300]
                )
            mine = Mediator.objects.filter(community=community, user=actor, active=True).first()
            if mine is not None:
                CaseMediator.objects.create(case=case, mediator=mine, lead=True)
            audit.record(actor=actor, action="create", target=case, note=f"{kind} {source}")
            if appeal is not None:
                from linli.appeals.services import appeal_referred_to_mediation

                appeal_referred_to_mediation(actor=actor, appeal=appeal)
    except IntegrityError:
        raise ValidationError({"appeal": _("该诉求已转入调解。")}) from None
    return case


def _locked(actor: User, case: Case, allowed) -> Case:
    locked = Case.objects.select_for_update(of=("self",)).select_related("community").get(pk=case.pk)
    access.require(allowed(scope_for(actor), actor, locked))
    return locked


def case_assign(*, actor: User, case: Case, mediator: Mediator, lead: bool = False) -> CaseMediator:
    with transaction.atomic():
        locked = _locked(actor, case, access.can_assign)
        if mediator.community_id != locked.community_id or not mediator.active:
            raise ValidationError({"mediator": _("请选择本社区名册上的调解员。")})
        if lead:
            CaseMediator.objects.filter(case=locked).update(lead=False)
        assignment, _created = CaseMediator.objects.update_or_create(case=locked, mediator=mediator, defaults={"lead": lead})
        audit.record(actor=actor, action="update", target=locked, note=f"mediator {mediator.pk}")
    return assignment


def case_add_party(*, actor: User, case: Case, side: str, name: str, note: str = "", resident: Resident | None = None) -> Party:
    if side not in PartySide.values:
        raise ValidationError({"side": _("无效的选项。")})
    name = _text(name, "name", 50, _("请填写姓名。"))
    with transaction.atomic():
        locked = _locked(actor, case, access.can_work)
        if resident is not None and resident.household.dwelling.community_id != locked.community_id:
            raise ValidationError({"resident": _("当事人档案须在本社区。")})
        party = Party.objects.create(case=locked, side=side, name=name, resident=resident, note=(note or "").strip()[:300])
        audit.record(actor=actor, action="update", target=locked, note="party")
    return party


def case_session(*, actor: User, case: Case, held_on: date, location: str, notes: str) -> Session:
    """调解记录. The first session moves the case to 调解中."""
    if not isinstance(held_on, date) or held_on > timezone.localdate():
        raise ValidationError({"held_on": _("调解日期不能晚于今天。")})
    location = _text(location, "location", 100, _("请填写地点。"))
    notes = _text(notes, "notes", 4000, _("请写明调解经过。"))
    with transaction.atomic():
        locked = _locked(actor, case, access.can_work)
        session = Session.objects.create(case=locked, held_on=held_on, location=location, notes=notes, recorded_by=actor)
        if locked.status == CaseStatus.OPEN:
            locked.status = CaseStatus.MEDIATING
            locked.save(update_fields=["status"])
        audit.record(actor=actor, action="update", target=locked, note="session")
    return session


def case_agree(*, actor: User, case: Case, text: str, signed_on: date, scan=None) -> Case:
    """达成协议: the agreement's text and the scan of the paper both sides signed."""
    text = _text(text, "agreement_text", 4000, _("请填写协议内容。"))
    if not isinstance(signed_on, date) or signed_on > timezone.localdate():
        raise ValidationError({"signed_on": _("签订日期不能晚于今天。")})
    cleaned = clean_photo(scan) if scan is not None else None
    with transaction.atomic():
        locked = _locked(actor, case, access.can_work)
        if not locked.sessions.exists():
            raise ValidationError(_("请先登记调解记录。"))
        old = locked.status
        locked.status, locked.agreement_text, locked.agreement_signed_on = CaseStatus.AGREED, text, signed_on
        locked.closed_at = timezone.now()
        if cleaned is not None:
            locked.agreement_scan.save(cleaned.name, cleaned, save=False)
        locked.save()
        audit.record(actor=actor, action="update", target=locked, changes={"status": [old, locked.status]})
        _resolve_appeal(actor, locked, _("经人民调解达成协议。"))
    return locked


def case_close(*, actor: User, case: Case, status: str, outcome: str) -> Case:
    """调解不成 (the parties are told of other ways: court, arbitration) or 撤回."""
    if status not in (CaseStatus.FAILED, CaseStatus.WITHDRAWN):
        raise ValidationError({"status": _("无效的选项。")})
    outcome = _text(outcome, "outcome", 300, _("请写明结果。"))
    with transaction.atomic():
        locked = _locked(actor, case, access.can_work)
        old = locked.status
        locked.status, locked.outcome, locked.closed_at = status, outcome, timezone.now()
        locked.save(update_fields=["status", "outcome", "closed_at"])
        audit.record(actor=actor, action="update", target=locked, changes={"status": [old, status]})
    return locked


def case_follow_up(*, actor: User, case: Case, visited_on: date, holds: bool, notes: str) -> FollowUp:
    """回访: whether the agreement holds; the latest visit's answer is the case's."""
    notes = _text(notes, "notes", 500, _("请填写回访情况。"))
    if not isinstance(visited_on, date) or visited_on > timezone.localdate():
        raise ValidationError({"visited_on": _("回访日期不能晚于今天。")})
    with transaction.atomic():
        locked = _locked(actor, case, access.can_follow_up)
        visit = FollowUp.objects.create(case=locked, visited_on=visited_on, holds=bool(holds), notes=notes, by=actor)
        latest = locked.follow_ups.order_by("-visited_on", "-id").first()
        old = locked.holds
        locked.holds = latest.holds
        locked.save(update_fields=["holds"])
        audit.record(actor=actor, action="update", target=locked, changes={"holds": [old, locked.holds]})
    return visit


def _resolve_appeal(actor: User, case: Case, result: str) -> None:
    """The appeal the case came from is answered by the agreement (without its contents: the
    appeal's result may be public)."""
    if case.appeal_id is None:
        return
    from linli.appeals.services import appeal_resolve_by_mediation

    if case.appeal.can("mediation_resolve"):
        appeal_resolve_by_mediation(actor=actor, appeal=case.appeal, case=case, result=result)
