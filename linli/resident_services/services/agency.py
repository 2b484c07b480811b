"""Agency cases (全程代办): the agent carries a matter (高龄补贴, 医保 …) step by step for the resident, who is told at each step."""

from __future__ import annotations

from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from linli.accounts.models import User
from linli.accounts.scope import scope_for
from linli.core import audit
from linli.core.notify import notify
from linli.registry.models import Place, Resident
from linli.resident_services import access
from linli.resident_services.models import (
    AgencyCase,
    AgencyDocument,
    AgencyStep,
    CaseStatus,
)
from linli.resident_services.services.common import InvalidState, resident_people

# ---- agency cases (全程代办) ----------------------------------------------------------------------------------

# The matters most often carried, with their usual steps and papers (a case may change them).
MATTERS = {
    "高龄补贴": {
        "steps": [
            ("社区受理、核对年龄", "社区服务站"),
            ("街道审核", "街道便民服务中心"),
            ("区民政局审批", "区民政局"),
            ("补贴发放到账", "区民政局"),
        ],
        "documents": ["身份证", "户口簿", "银行卡（社保卡）"],
    },
    "残疾证": {
        "steps": [("社区受理申请", "社区服务站"), ("陪同评残体检", "指定评定医院"), ("区残联审核", "区残联"), ("领取残疾证", "区残联")],
        "documents": ["身份证", "户口簿", "2寸彩色照片3张", "病历资料"],
    },
    "医保报销": {
        "steps": [("收集票据", "社区服务站"), ("提交医保经办窗口", "区医保中心"), ("审核结算", "区医保中心"), ("报销款到账", "区医保中心")],
        "documents": ["医保卡", "住院发票原件", "费用明细清单", "出院小结"],
    },
}


def case_open(
    *,
    actor: User,
    resident: Resident,
    matter: str,
    agent: User | None = None,
    due_on: date | None = None,
    steps: list[tuple[str, str]] | None = None,
    documents: list[str] | None = None,
) -> AgencyCase:
    scope = scope_for(actor)
    access.require(access.can_open_case(scope, resident))
    matter = (matter or "").strip()
    errors = {}
    if not matter or len(matter) > 60:
        errors["matter"] = _("请填写代办事项（不超过60字）。")
    template = MATTERS.get(matter, {})
    steps = steps if steps is not None else template.get("steps", [(_("社区受理"), _("社区服务站"))])
    documents = documents if documents is not None else template.get("documents", [])
    if not steps or len(steps) > 20 or any(not (t or "").strip() for t, _o in steps):
        errors["steps"] = _("请列出1到20个办理环节。")
    if len(documents) > 30:
        errors["documents"] = _("材料不超过30项。")
    if due_on is not None and due_on < timezone.localdate():
        errors["due_on"] = _("承诺日期不能早于今天。")
    agent = agent or actor
    community = Place.objects.get(pk=resident.household.dwelling.community_id)
    if agent.pk != actor.pk and not (access.acts_in_community(scope_for(agent), access.CARRY_AGENCY, community)):
        errors["agent"] = _("代办员须为本社区的网格员或社区工作者。")
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        case = AgencyCase.objects.create(community=community, resident=resident, matter=matter, agent=agent, opened_by=actor, due_on=due_on)
        AgencyStep.objects.bulk_create(
            [AgencyStep(case=case, position=n, title=t.strip()[:60], office=(o or "").strip()[:60]) for n, (t, o) in enumerate(steps, 1)]
        )
        AgencyDocument.objects.bulk_create([AgencyDocument(case=case, name=d.strip()[:60]) for d in documents if d.strip()])
        audit.record(actor=actor, action="create", target=case, note=matter)
        notify(
            resident_people(resident),
            subject=_("已受理代办：%(m)s") % {"m": matter},
            body=_("代办员将全程代办，每个环节都会告诉您。"),
            link=f"/services/cases/{case.pk}/",
        )
    return case


def _locked_case(case: AgencyCase) -> AgencyCase:
    return AgencyCase.objects.select_for_update(of=("self",)).select_related("community", "resident__household").get(pk=case.pk)


def case_step_done(*, actor: User, case: AgencyCase, step: AgencyStep, note: str = "", done_on: date | None = None) -> AgencyStep:
    with transaction.atomic():
        case = _locked_case(case)
        access.require(access.can_view_case(scope_for(actor), actor, case))
        access.require(access.can_carry(scope_for(actor), actor, case), _("只有代办员或社区工作者可以登记进度。"))
        step = AgencyStep.objects.select_for_update().get(pk=step.pk, case=case)
        if step.done_on is not None:
            raise InvalidState(_("该环节已完成。"))
        done_on = done_on or timezone.localdate()
        if done_on > timezone.localdate():
            raise ValidationError({"done_on": _("完成日期不能晚于今天。")})
        step.done_on, step.note = done_on, (note or "").strip()[:300]
        step.save(update_fields=["done_on", "note"])
        audit.record(actor=actor, action="update", target=case, changes={"step": [None, step.title]})
        notify(
            resident_people(case.resident),
            subject=_("代办进度：%(m)s") % {"m": case.matter},
            body=_("“%(t)s”已完成。%(n)s") % {"t": step.title, "n": step.note},
            link=f"/services/cases/{case.pk}/",
        )
    return step


def case_step_add(*, actor: User, case: AgencyCase, title: str, office: str = "", planned_on: date | None = None) -> AgencyStep:
    title = (title or "").strip()
    if not title or len(title) > 60:
        raise ValidationError({"title": _("请填写环节（不超过60字）。")})
    with transaction.atomic():
        case = _locked_case(case)
        access.require(access.can_view_case(scope_for(actor), actor, case))
        access.require(access.can_carry(scope_for(actor), actor, case))
        position = (case.steps.order_by("-position").values_list("position", flat=True).first() or 0) + 1
        if position > 30:
            raise ValidationError({"title": _("环节已达上限。")})
        step = AgencyStep.objects.create(
            case=case, position=position, title=title, office=(office or "").strip()[:60], planned_on=planned_on
        )
        audit.record(actor=actor, action="update", target=case, changes={"steps": [None, title]})
    return step


def case_document(*, actor: User, case: AgencyCase, document: AgencyDocument, action: str) -> AgencyDocument:
    """收取 (receive) a paper from the resident, or 归还 (return) it."""
    if action not in ("receive", "return"):
        raise ValidationError({"action": _("无效的选项。")})
    with transaction.atomic():
        case = _locked_case(case)
        access.require(access.can_view_case(scope_for(actor), actor, case))
        access.require(access.can_carry(scope_for(actor), actor, case))
        document = AgencyDocument.objects.select_for_update().get(pk=document.pk, case=case)
        field = "received_on" if action == "receive" else "returned_on"
        if getattr(document, field) is not None or (action == "return" and document.received_on is None):
            raise InvalidState(_("材料当前状态不允许此操作。"))
        setattr(document, field, timezone.localdate())
        document.save(update_fields=[field])
        audit.record(actor=actor, action="update", target=case, changes={field: [None, document.name]})
    return document


def case_close(*, actor: User, case: AgencyCase, outcome: str, cancelled: bool = False) -> AgencyCase:
    outcome = (outcome or "").strip()
    if not outcome:
        raise ValidationError({"outcome": _("请填写办理结果或撤销原因。")})
    with transaction.atomic():
        case = _locked_case(case)
        access.require(access.can_view_case(scope_for(actor), actor, case))
        access.require(access.can_carry(scope_for(actor), actor, case))
        if not cancelled and case.steps.filter(done_on__isnull=True).exists():
            raise InvalidState(_("还有未完成的环节。"))
        status = CaseStatus.CANCELLED if cancelled else CaseStatus.DONE
        AgencyCase.objects.filter(pk=case.pk).update(status=status, closed_at=timezone.now(), outcome=outcome[:300])
        audit.record(actor=actor, action="update", target=case, changes={"status": [CaseStatus.OPEN, status]})
        notify(
            resident_people(case.resident),
            subject=(_("代办已办结：%(m)s") if not cancelled else _("代办已撤销：%(m)s")) % {"m": case.matter},
            body=outcome[:200],
            link=f"/services/cases/{case.pk}/",
        )
    case.refresh_from_db()
    return case
