"""The shapes of what volunteer pages post. Shape only: rules are in services and access."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from linli.registry.models import CareTag, Organisation
from linli.volunteers.models import ActivityKind, Availability, OfferKind, Skill

MAX_ID = 2**63 - 1


class _Local(forms.DateTimeInput):
    input_type = "datetime-local"

    def format_value(self, value):
        return value.strftime("%Y-%m-%dT%H:%M") if hasattr(value, "strftime") else value


class RegisterForm(forms.Form):
    skills = forms.MultipleChoiceField(label=_("技能特长"), choices=Skill.choices, widget=forms.CheckboxSelectMultiple)
    availability = forms.MultipleChoiceField(
        label=_("可服务时间"), choices=Availability.choices, widget=forms.CheckboxSelectMultiple, required=False
    )
    introduction = forms.CharField(label=_("自我介绍"), max_length=200, required=False, widget=forms.Textarea(attrs={"rows": 2}))
    team = forms.ModelChoiceField(label=_("想加入的服务队"), queryset=None, required=False)

    def __init__(self, *args, teams, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["team"].queryset = teams


class ActivityForm(forms.Form):
    title = forms.CharField(label=_("活动名称"), max_length=60)
    kind = forms.ChoiceField(label=_("类型"), choices=ActivityKind.choices)
    team = forms.ModelChoiceField(label=_("志愿服务队"), queryset=None, required=False)
    campaign = forms.ModelChoiceField(label=_("主题活动"), queryset=None, required=False)
    location = forms.CharField(label=_("地点"), max_length=100)
    starts_at = forms.DateTimeField(label=_("开始时间"), widget=_Local)
    ends_at = forms.DateTimeField(label=_("结束时间"), widget=_Local)
    capacity = forms.IntegerField(label=_("招募人数"), min_value=1, max_value=1000)
    skills = forms.MultipleChoiceField(label=_("所需技能"), choices=Skill.choices, widget=forms.CheckboxSelectMultiple, required=False)
    description = forms.CharField(label=_("活动内容"), max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, teams, campaigns, team_required=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["team"].queryset = teams
        self.fields["team"].required = team_required
        self.fields["campaign"].queryset = campaigns


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("理由"), max_length=200)


class NoteForm(forms.Form):
    note = forms.CharField(label=_("说明"), max_length=200, required=False)


class EmptyForm(forms.Form):
    pass


class HoursForm(forms.Form):
    hours = forms.DecimalField(label=_("服务时长（小时）"), min_value=0, max_value=24, decimal_places=1, max_digits=3)
    reason = forms.CharField(label=_("更正理由"), max_length=200)


class ScanForm(forms.Form):
    direction = forms.ChoiceField(choices=[("in", _("签到")), ("out", _("签退"))])


class MembershipForm(forms.Form):
    team = forms.ModelChoiceField(label=_("服务队"), queryset=None)
    leader = forms.BooleanField(label=_("队长"), required=False)

    def __init__(self, *args, teams, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["team"].queryset = teams


class StarHoursField(forms.CharField):
    """ "100,300,600,1000,1500" → [100, 300, 600, 1000, 1500]."""

    def to_python(self, value):
        value = super().to_python(value)
        try:
            return [int(p) for p in value.replace("，", ",").split(",") if p.strip()]
        except ValueError:
            raise ValidationError(_("请用逗号分隔的整数，如 100,300,600。")) from None

    def prepare_value(self, value):
        return ",".join(str(v) for v in value) if isinstance(value, list) else value


class PolicyForm(forms.Form):
    points_per_hour = forms.IntegerField(label=_("每小时积分"), min_value=1, max_value=1000)
    max_hours_per_activity = forms.DecimalField(label=_("单次活动时长上限（小时）"), min_value=0.5, max_value=24, decimal_places=1)
    star_hours = StarHoursField(label=_("星级时长门槛（小时，逗号分隔）"), max_length=60)
    points_valid_months = forms.IntegerField(label=_("积分有效期（月，0为长期）"), min_value=0, max_value=120)


class KindRuleForm(forms.Form):
    kind = forms.ChoiceField(label=_("活动类型"), choices=ActivityKind.choices)
    points_per_hour = forms.IntegerField(label=_("每小时积分"), min_value=1, max_value=1000)
    bonus_points = forms.IntegerField(label=_("每次参加加分"), min_value=0, max_value=1000, initial=0)


class CampaignForm(forms.Form):
    name = forms.CharField(label=_("名称"), max_length=40)
    starts_on = forms.DateField(label=_("开始日期"), widget=forms.DateInput(attrs={"type": "date"}))
    ends_on = forms.DateField(label=_("结束日期"), widget=forms.DateInput(attrs={"type": "date"}))
    bonus_percent = forms.IntegerField(label=_("积分加成（%）"), min_value=0, max_value=200, initial=0)


class TeamForm(forms.Form):
    name = forms.CharField(label=_("队名"), max_length=60)
    description = forms.CharField(label=_("简介"), max_length=200, required=False)


class OfferForm(forms.Form):
    title = forms.CharField(label=_("名称"), max_length=60)
    kind = forms.ChoiceField(label=_("类型"), choices=OfferKind.choices)
    description = forms.CharField(label=_("说明"), max_length=200, required=False)
    for_volunteers = forms.BooleanField(label=_("志愿者可用积分兑换"), required=False, initial=True)
    points_cost = forms.IntegerField(label=_("所需积分"), min_value=0, max_value=100000, initial=0)
    care_tags = forms.ModelMultipleChoiceField(
        label=_("困难群众（按关怀标签，免积分）"), queryset=CareTag.objects.all(), required=False, widget=forms.CheckboxSelectMultiple
    )
    per_person_month = forms.IntegerField(label=_("每人每月限用次数"), min_value=1, max_value=31, initial=1)
    quantity = forms.IntegerField(label=_("总数量（留空不限）"), min_value=1, max_value=100000, required=False)
    active = forms.BooleanField(label=_("上架"), required=False, initial=True)


class CodeForm(forms.Form):
    code = forms.CharField(label=_("核销码"), max_length=12, widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}))


class PurchaseForm(forms.Form):
    buyer = forms.ModelChoiceField(label=_("认购单位"), queryset=None)
    merchant = forms.ModelChoiceField(label=_("爱心商户"), queryset=None)
    bought_on = forms.DateField(label=_("认购日期"), widget=forms.DateInput(attrs={"type": "date"}))
    amount = forms.DecimalField(label=_("金额（元）"), min_value=0.01, max_value=10000000, decimal_places=2, max_digits=10)
    items = forms.CharField(label=_("认购内容"), max_length=200)

    def __init__(self, *args, buyers, community_ids, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["buyer"].queryset = buyers
        self.fields["merchant"].queryset = Organisation.objects.filter(kind=Organisation.Kind.MERCHANT, place_id__in=community_ids)


class CommunityParam(forms.Form):
    community = forms.IntegerField(min_value=1, max_value=MAX_ID, required=False)


class MerchantParam(forms.Form):
    merchant = forms.IntegerField(min_value=1, max_value=MAX_ID, required=False)


class HonoursParams(forms.Form):
    year = forms.IntegerField(min_value=2000, max_value=2100, required=False)
    team = forms.IntegerField(min_value=1, max_value=MAX_ID, required=False)


class MonthParam(forms.Form):
    month = forms.RegexField(regex=r"^\d{4}-(0[1-9]|1[0-2])$", required=False)


class DutyPostForm(forms.Form):
    compound = forms.ModelChoiceField(label=_("小区"), queryset=None)
    name = forms.CharField(label=_("岗位"), max_length=40, help_text=_("如“东门岗”"))

    def __init__(self, *args, compounds, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["compound"].queryset = compounds


class DutyShiftForm(forms.Form):
    post = forms.ModelChoiceField(label=_("岗位"), queryset=None)
    person = forms.ModelChoiceField(label=_("值勤人"), queryset=None)
    starts_at = forms.DateTimeField(label=_("开始"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"}))
    ends_at = forms.DateTimeField(label=_("结束"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"}))

    def __init__(self, *args, posts, people, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["post"].queryset = posts
        self.fields["person"].queryset = people
        self.fields["person"].label_from_instance = lambda u: str(u)
