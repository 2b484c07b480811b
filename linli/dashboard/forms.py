from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from linli.dashboard.selectors import LISTABLE_FIGURES, Period, month_period

MAX_DAYS = 366


class PeriodForm(forms.Form):
    """A calendar month (``month=2025-11``) or a span of days (``start``/``end``); this month by default."""

    month = forms.DateField(required=False, input_formats=["%Y-%m"], label=_("月份"))
    start = forms.DateField(required=False, label=_("开始"))
    end = forms.DateField(required=False, label=_("结束"))

    def clean(self):
        data = super().clean()
        start, end = data.get("start"), data.get("end")
        if (start is None) != (end is None):
            raise forms.ValidationError(_("开始和结束日期须同时填写。"))
        if start and end:
            if end < start:
                raise forms.ValidationError(_("结束日期不能早于开始日期。"))
            if (end - start).days >= MAX_DAYS:
                raise forms.ValidationError(_("统计期最长一年。"))
        return data

    def period(self) -> Period:
        data = self.cleaned_data
        if data.get("start"):
            return Period(data["start"], data["end"])
        return month_period(data.get("month") or timezone.localdate())


class FigureListForm(PeriodForm):
    figure = forms.ChoiceField(choices=[(f, f) for f in LISTABLE_FIGURES])
    kind = forms.ChoiceField(choices=[("place", "place"), ("grid", "grid"), ("building", "building")])
    id = forms.IntegerField(min_value=1, max_value=2**63 - 1)
    category = forms.IntegerField(min_value=1, max_value=2**63 - 1, required=False)  # one row of "by category"
    compound = forms.IntegerField(min_value=1, max_value=2**63 - 1, required=False)  # one row of "by compound"


class PropertyScoreForm(forms.Form):
    organisation = forms.IntegerField(min_value=1, max_value=2**63 - 1, widget=forms.HiddenInput)
    month = forms.DateField(input_formats=["%Y-%m"], label=_("月份"), widget=forms.HiddenInput)
    score = forms.IntegerField(min_value=0, max_value=100, label=_("社区评分"))
    note = forms.CharField(max_length=500, required=False, label=_("说明"))


class ReportForm(forms.Form):
    month = forms.DateField(input_formats=["%Y-%m"], label=_("月份"))
