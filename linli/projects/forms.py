"""The shapes of what project pages post. Shape only: rules are in services and access."""

from django import forms
from django.utils.translation import gettext_lazy as _

from linli.projects.models import FundingSource, SignerKind

MAX_ID = 2**63 - 1


class _Date(forms.DateInput):
    input_type = "date"


def _id(**kw):
    return forms.IntegerField(min_value=1, max_value=MAX_ID, **kw)


def _decimal(label, **kw):
    return forms.DecimalField(label=label, max_digits=12, decimal_places=2, min_value=0, **kw)


class NewParams(forms.Form):
    resolution = _id(required=False)


class ProjectForm(forms.Form):
    title = forms.CharField(label=_("项目名称"), max_length=100)
    description = forms.CharField(label=_("项目说明"), max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 3}))
    places = forms.TypedMultipleChoiceField(label=_("实施地点"), coerce=int)
    due_on = forms.DateField(label=_("计划完工"), required=False, widget=_Date)

    def __init__(self, *args, places=(), **kw):
        super().__init__(*args, **kw)
        self.fields["places"].choices = places


class ItemForm(forms.Form):
    name = forms.CharField(label=_("内容"), max_length=100)
    quantity = _decimal(_("数量"))
    unit = forms.CharField(label=_("单位"), max_length=12)
    budget = _decimal(_("预算（元）"), required=False)


class FundingForm(forms.Form):
    source = forms.ChoiceField(label=_("资金来源"), choices=FundingSource.choices)
    funder = forms.CharField(label=_("出资方"), max_length=100)
    pledged = _decimal(_("认捐/批复金额（元）"))


class ReceiveForm(forms.Form):
    funding = _id(label=_("资金来源"))
    amount = _decimal(_("金额（元）"))
    received_on = forms.DateField(label=_("到账日期"), widget=_Date)
    number = forms.CharField(label=_("票据号"), max_length=40)


class ProgressForm(forms.Form):
    item = _id(label=_("内容"))
    quantity = _decimal(_("本次完成"))
    note = forms.CharField(label=_("说明"), max_length=300)
    before = forms.ImageField(label=_("施工前"), required=False)
    after = forms.ImageField(label=_("施工后"), required=False)


class FinishForm(forms.Form):
    item = _id(label=_("内容"))
    note = forms.CharField(label=_("整改情况"), max_length=300)


class SignoffForm(forms.Form):
    kind = forms.ChoiceField(label=_("验收方"), choices=SignerKind.choices)
    name = forms.CharField(label=_("名称"), max_length=100)
    username = forms.CharField(label=_("账号（可不填，由社区代为登记）"), max_length=150, required=False)


class DecideForm(forms.Form):
    signoff = _id()
    decision = forms.ChoiceField(label=_("意见"), choices=[("signed", _("同意验收")), ("refused", _("不同意"))])
    reasons = forms.CharField(label=_("理由"), max_length=500, required=False)
    items = forms.TypedMultipleChoiceField(label=_("需要整改的内容"), coerce=int, required=False, choices=[])

    def __init__(self, *args, items=(), **kw):
        super().__init__(*args, **kw)
        self.fields["items"].choices = items


class EmptyForm(forms.Form):
    pass
