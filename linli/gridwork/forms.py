"""The shapes of what grid-work pages post. Shape only: rules are in services and access."""

from django import forms
from django.utils.translation import gettext_lazy as _

from linli.appeals.forms import MultipleFileField
from linli.gridwork.models import SENTIMENT_TOPICS, Mood, Round, SupportingForce, Visit
from linli.wishes.models import Wish

COORD = {"required": False, "max_digits": 9, "decimal_places": 6}


class PatrolStartForm(forms.Form):
    place = forms.IntegerField(min_value=1, max_value=2**63 - 1, widget=forms.HiddenInput)
    latitude = forms.DecimalField(**COORD, widget=forms.HiddenInput)
    longitude = forms.DecimalField(**COORD, widget=forms.HiddenInput)


class PatrolEndForm(forms.Form):
    note = forms.CharField(label=_("巡查记录"), max_length=500, required=False, widget=forms.Textarea(attrs={"rows": 2}))
    latitude = forms.DecimalField(**COORD, widget=forms.HiddenInput)
    longitude = forms.DecimalField(**COORD, widget=forms.HiddenInput)


class VisitForm(forms.Form):
    kind = forms.ChoiceField(label=_("方式"), choices=Visit.Kind.choices, initial=Visit.Kind.HOME)
    people_met = forms.ModelMultipleChoiceField(label=_("见到的人"), queryset=None, required=False, widget=forms.CheckboxSelectMultiple)
    content = forms.CharField(label=_("走访情况"), max_length=4000, widget=forms.Textarea(attrs={"rows": 3}))
    needs = forms.CharField(label=_("发现的需求"), max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 2}))
    follow_up = forms.CharField(label=_("跟进事项"), max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, household, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["people_met"].queryset = household.members.filter(is_active=True).order_by("relationship", "id")
        self.fields["people_met"].label_from_instance = lambda r: r.name


class SentimentForm(forms.Form):
    topics = forms.MultipleChoiceField(
        label=_("话题"), choices=list(SENTIMENT_TOPICS.items()), required=False, widget=forms.CheckboxSelectMultiple
    )
    mood = forms.ChoiceField(label=_("情绪"), choices=Mood.choices, initial=Mood.NEUTRAL)
    note = forms.CharField(label=_("记录"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3}))
    follow_up_needed = forms.BooleanField(label=_("需跟进"), required=False)


class AppealFindingForm(forms.Form):
    description = forms.CharField(
        label=_("发现的问题"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("写明楼栋单元，如“3号楼2单元楼道灯不亮”。"),
    )
    place = forms.ModelChoiceField(label=_("地点"), queryset=None, required=False, help_text=_("不选时按描述中的楼栋单元。"))
    confirm_place = forms.BooleanField(label=_("地点无误（与描述不一致时勾选）"), required=False)
    reporter_name = forms.CharField(label=_("反映人（可空）"), max_length=50, required=False)
    contact_phone = forms.CharField(label=_("联系电话（可空）"), max_length=20, required=False)
    photos = MultipleFileField(label=_("照片"), required=False)
    idempotency_key = forms.CharField(widget=forms.HiddenInput, max_length=64)

    def __init__(self, *args, places, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["place"].queryset = places
        self.fields["place"].label_from_instance = lambda p: p.address or p.name


class TopicFindingForm(forms.Form):
    council = forms.ModelChoiceField(label=_("议事会"), queryset=None)
    title = forms.CharField(label=_("议题"), max_length=100)
    description = forms.CharField(label=_("说明"), max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, councils, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["council"].queryset = councils


class WishFindingForm(forms.Form):
    resident = forms.ModelChoiceField(label=_("心愿人"), queryset=None)
    kind = forms.ChoiceField(label=_("类型"), choices=Wish.Kind.choices)
    title = forms.CharField(label=_("心愿"), max_length=60)
    description = forms.CharField(label=_("说明"), max_length=1000, required=False)

    def __init__(self, *args, residents, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["resident"].queryset = residents
        self.fields["resident"].label_from_instance = lambda r: f"{r.name} · {r.household.dwelling.address}"


class OrderFindingForm(forms.Form):
    resident = forms.ModelChoiceField(label=_("服务对象"), queryset=None)
    service = forms.ModelChoiceField(label=_("服务项目"), queryset=None)
    description = forms.CharField(label=_("需要什么服务"), max_length=1000, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, residents, services, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["resident"].queryset = residents
        self.fields["resident"].label_from_instance = lambda r: f"{r.name} · {r.household.dwelling.address}"
        self.fields["service"].queryset = services


class RoundForm(forms.Form):
    kind = forms.ChoiceField(label=_("类型"), choices=Round.Kind.choices)
    title = forms.CharField(label=_("名称"), max_length=100)
    theme = forms.CharField(label=_("主题"), max_length=100, required=False)
    grids = forms.ModelMultipleChoiceField(label=_("网格"), queryset=None, widget=forms.CheckboxSelectMultiple)
    starts_on = forms.DateField(label=_("开始"))
    ends_on = forms.DateField(label=_("结束"))
    questions = forms.CharField(
        label=_("问题（每行一题：题目｜选项1｜选项2…）"),
        required=False,
        max_length=6000,
        widget=forms.Textarea(attrs={"rows": 4}),
    )

    def __init__(self, *args, grids, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["grids"].queryset = grids

    def clean_questions(self):
        out = []
        for line in self.cleaned_data["questions"].splitlines():
            parts = [p.strip() for p in line.replace("|", "｜").split("｜") if p.strip()]
            if parts:
                out.append({"text": parts[0], "options": parts[1:]})
        return out


class ContactForm(forms.Form):
    note = forms.CharField(label=_("备注"), max_length=200, required=False)

    def __init__(self, *args, rnd, **kwargs):
        super().__init__(*args, **kwargs)
        for i, q in enumerate(rnd.questions):
            self.fields[f"q{i}"] = forms.TypedChoiceField(
                label=q["text"], choices=list(enumerate(q["options"])), coerce=int, widget=forms.RadioSelect
            )

    def answers(self) -> dict:
        return {k[1:]: v for k, v in self.cleaned_data.items() if k.startswith("q")}


class RuleForm(forms.Form):
    min_minutes_per_day = forms.IntegerField(label=_("每日在小区不少于（分钟）"), min_value=1, max_value=600)
    working_days_only = forms.BooleanField(label=_("仅工作日"), required=False)
    auto_close_minutes = forms.IntegerField(label=_("巡查未结束自动截止（分钟）"), min_value=30, max_value=1440)
    count_auto_closed = forms.BooleanField(label=_("自动截止的巡查计入时长"), required=False)


class FrequencyForm(forms.Form):
    care_tag = forms.ModelChoiceField(label=_("关怀标签"), queryset=None)
    every_days = forms.IntegerField(label=_("走访间隔（天），空为不走访"), min_value=1, max_value=365, required=False)

    def __init__(self, *args, **kwargs):
        from linli.registry.models import CareTag

        super().__init__(*args, **kwargs)
        self.fields["care_tag"].queryset = CareTag.objects.all()


class StewardLinkForm(forms.Form):
    steward = forms.ModelChoiceField(label=_("红色小管家"), queryset=None)
    household = forms.ModelChoiceField(label=_("家庭户"), queryset=None)

    def __init__(self, *args, stewards, households, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["steward"].queryset = stewards
        self.fields["household"].queryset = households
        self.fields["household"].label_from_instance = lambda h: h.dwelling.address


class ForceForm(forms.Form):
    kind = forms.ChoiceField(label=_("力量"), choices=SupportingForce.Kind.choices)
    name = forms.CharField(label=_("姓名"), max_length=50)
    organisation = forms.CharField(label=_("所在单位"), max_length=100, required=False)
