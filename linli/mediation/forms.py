"""The shapes of what mediation pages post. Shape only: rules are in services and access."""

from django import forms
from django.utils.translation import gettext_lazy as _

from linli.mediation.models import CaseKind, CaseStatus, MediatorKind, PartySide

MAX_ID = 2**63 - 1


class _Date(forms.DateInput):
    input_type = "date"


def _id(**kw):
    return forms.IntegerField(min_value=1, max_value=MAX_ID, **kw)


class NewParams(forms.Form):
    appeal = _id(required=False)


class CaseForm(forms.Form):
    kind = forms.ChoiceField(label=_("纠纷类型"), choices=CaseKind.choices)
    summary = forms.CharField(label=_("纠纷简况"), max_length=2000, widget=forms.Textarea(attrs={"rows": 4}))
    applicant = forms.CharField(label=_("申请人"), max_length=50)
    applicant_note = forms.CharField(label=_("申请人诉求要点"), max_length=300, required=False)
    respondent = forms.CharField(label=_("被申请人"), max_length=50, required=False)
    respondent_note = forms.CharField(label=_("被申请人意见"), max_length=300, required=False)
    found = forms.BooleanField(label=_("走访中发现（非来访申请）"), required=False)


class PartyForm(forms.Form):
    side = forms.ChoiceField(label=_("身份"), choices=PartySide.choices)
    name = forms.CharField(label=_("姓名"), max_length=50)
    note = forms.CharField(label=_("诉求要点"), max_length=300, required=False)


class AssignForm(forms.Form):
    mediator = _id(label=_("调解员"))
    lead = forms.BooleanField(label=_("主调解员"), required=False)


class SessionForm(forms.Form):
    held_on = forms.DateField(label=_("调解日期"), widget=_Date)
    location = forms.CharField(label=_("地点"), max_length=100)
    notes = forms.CharField(label=_("调解经过"), max_length=4000, widget=forms.Textarea(attrs={"rows": 4}))


class AgreementForm(forms.Form):
    text = forms.CharField(label=_("协议内容"), max_length=4000, widget=forms.Textarea(attrs={"rows": 5}))
    signed_on = forms.DateField(label=_("签订日期"), widget=_Date)
    scan = forms.ImageField(label=_("签字协议扫描件（照片）"), required=False)


class CloseForm(forms.Form):
    status = forms.ChoiceField(
        label=_("结果"), choices=[(CaseStatus.FAILED, CaseStatus.FAILED.label), (CaseStatus.WITHDRAWN, CaseStatus.WITHDRAWN.label)]
    )
    outcome = forms.CharField(label=_("结果说明"), max_length=300)


class FollowUpForm(forms.Form):
    visited_on = forms.DateField(label=_("回访日期"), widget=_Date)
    holds = forms.TypedChoiceField(label=_("协议履行"), choices=[("1", _("履行中/已履行")), ("0", _("未履行"))], coerce=lambda v: v == "1")
    notes = forms.CharField(label=_("回访情况"), max_length=500)


class RosterForm(forms.Form):
    username = forms.CharField(label=_("账号"), max_length=150)
    name = forms.CharField(label=_("姓名"), max_length=50, required=False)
    kind = forms.ChoiceField(label=_("身份"), choices=MediatorKind.choices)
