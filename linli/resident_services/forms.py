"""The shapes of what service pages post. Shape only: rules are in services and access."""

from decimal import Decimal

from django import forms
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from linli.appeals.forms import MultipleFileField
from linli.registry.models import CareTag
from linli.resident_services.models import Eligibility, MealKind, OrderStatus, Origin, ProviderKind, RoomKind, ServiceCategory, Slot
from linli.volunteers.models import Availability, Skill

MAX_ID = 2**63 - 1
WEEKDAYS = [(0, _("周一")), (1, _("周二")), (2, _("周三")), (3, _("周四")), (4, _("周五")), (5, _("周六")), (6, _("周日"))]


class _Date(forms.DateInput):
    input_type = "date"


class _Time(forms.TimeInput):
    input_type = "time"


def _ids(**kw):
    return forms.IntegerField(required=False, min_value=1, max_value=MAX_ID, **kw)


# ---- query parameters -------------------------------------------------------------------------------


class OrderParams(forms.Form):
    service = _ids()
    resident = _ids()
    appeal = _ids()


class DeskParams(forms.Form):
    status = forms.ChoiceField(required=False, choices=[("", ""), *OrderStatus.choices])
    flagged = forms.BooleanField(required=False)
    page = _ids()


class DayParams(forms.Form):
    start = forms.DateField(required=False)
    community = _ids()


class PeriodParams(forms.Form):
    start = forms.DateField(required=False)
    end = forms.DateField(required=False)

    def clean(self):
        data = super().clean()
        if data.get("start") and data.get("end") and data["end"] < data["start"]:
            raise ValidationError(_("结束日期不能早于开始日期。"))
        return data


# ---- orders ----------------------------------------------------------------------------------------------


class OrderForm(forms.Form):
    resident = forms.ModelChoiceField(label=_("服务对象"), queryset=None)
    service = forms.ModelChoiceField(label=_("服务项目"), queryset=None)
    description = forms.CharField(label=_("需要什么服务"), max_length=1000, widget=forms.Textarea(attrs={"rows": 3}))
    wanted_on = forms.DateField(label=_("希望日期（可空）"), required=False, widget=_Date)
    wanted_slot = forms.ChoiceField(label=_("希望时段"), choices=Slot.choices, initial=Slot.ANY)
    idempotency_key = forms.CharField(widget=forms.HiddenInput, max_length=64)

    def __init__(self, *args, residents, services, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["resident"].queryset = residents
        self.fields["resident"].label_from_instance = lambda r: f"{r.name} · {r.household.dwelling.address or r.household.dwelling.name}"
        self.fields["service"].queryset = services


class MatchForm(forms.Form):
    providers = forms.ModelMultipleChoiceField(label=_("派给"), queryset=None, widget=forms.CheckboxSelectMultiple)

    def __init__(self, *args, providers, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["providers"].queryset = providers


class AnswerForm(forms.Form):
    provider = forms.ModelChoiceField(label=_("以谁的名义"), queryset=None)
    reason = forms.CharField(label=_("婉拒原因"), max_length=200, required=False)

    def __init__(self, *args, providers, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["provider"].queryset = providers


class DeliverForm(forms.Form):
    note = forms.CharField(label=_("服务记录"), max_length=1000, widget=forms.Textarea(attrs={"rows": 3}))
    hours = forms.DecimalField(
        label=_("服务时长（小时）"),
        min_value=Decimal("0.1"),
        max_value=Decimal("24"),
        decimal_places=1,
        required=False,
        help_text=_("注册志愿者服务的，居民确认后计入志愿服务时长。"),
    )
    photos = MultipleFileField(label=_("现场照片"), required=False)


class ConfirmForm(forms.Form):
    rating = forms.TypedChoiceField(
        label=_("评价"), coerce=int, choices=[(5, "★★★★★"), (4, "★★★★"), (3, "★★★"), (2, "★★"), (1, "★")], widget=forms.RadioSelect
    )
    comment = forms.CharField(label=_("评价意见（可空）"), max_length=300, required=False)


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("原因"), max_length=200)


class OptionalReasonForm(forms.Form):
    reason = forms.CharField(label=_("说明"), max_length=200, required=False)


# ---- the catalogue and providers (staff) ----------------------------------------------------------------


class ServiceForm(forms.Form):
    service = forms.ModelChoiceField(queryset=None, required=False, widget=forms.HiddenInput)
    name = forms.CharField(label=_("服务名称"), max_length=60)
    category = forms.ChoiceField(label=_("类别"), choices=ServiceCategory.choices)
    description = forms.CharField(label=_("说明"), max_length=300, required=False)
    eligibility = forms.ChoiceField(label=_("服务对象"), choices=Eligibility.choices)
    care_tags = forms.ModelMultipleChoiceField(
        label=_("关怀标签"), queryset=CareTag.objects.all(), required=False, widget=forms.CheckboxSelectMultiple
    )
    price = forms.DecimalField(label=_("价格（元，0为免费）"), min_value=0, max_value=100000, decimal_places=2, initial=0)
    price_note = forms.CharField(label=_("收费说明"), max_length=60, required=False)
    skill = forms.ChoiceField(label=_("所需技能"), choices=[("", "—"), *list(Skill.choices)], required=False)
    match_days = forms.IntegerField(label=_("配单时限（工作日）"), min_value=0, max_value=30, initial=1)
    deliver_days = forms.IntegerField(label=_("送单时限（工作日）"), min_value=1, max_value=60, initial=3)
    providers = forms.ModelMultipleChoiceField(label=_("服务提供方"), queryset=None, required=False, widget=forms.CheckboxSelectMultiple)
    active = forms.BooleanField(label=_("上架"), required=False, initial=True)

    def __init__(self, *args, services, providers, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["service"].queryset = services
        self.fields["providers"].queryset = providers


class ProviderForm(forms.Form):
    provider = forms.ModelChoiceField(queryset=None, required=False, widget=forms.HiddenInput)
    kind = forms.ChoiceField(label=_("类型"), choices=ProviderKind.choices)
    name = forms.CharField(label=_("名称/姓名"), max_length=60)
    brand = forms.CharField(label=_("服务品牌"), max_length=20, required=False)
    username = forms.CharField(label=_("接单人账号（用户名）"), max_length=150, required=False)
    organisation = forms.ModelChoiceField(label=_("所属单位/组织"), queryset=None, required=False)
    origin = forms.ChoiceField(label=_("来源"), choices=[("", "—"), *list(Origin.choices)], required=False)
    skills = forms.MultipleChoiceField(label=_("技能"), choices=Skill.choices, required=False, widget=forms.CheckboxSelectMultiple)
    availability = forms.MultipleChoiceField(
        label=_("可服务时间"), choices=Availability.choices, required=False, widget=forms.CheckboxSelectMultiple
    )
    base = forms.ModelChoiceField(label=_("常驻楼栋"), queryset=None, required=False)
    active = forms.BooleanField(label=_("在岗"), required=False, initial=True)

    def __init__(self, *args, providers, organisations, buildings, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["provider"].queryset = providers
        self.fields["organisation"].queryset = organisations
        self.fields["base"].queryset = buildings
        self.fields["base"].label_from_instance = lambda p: p.address or p.name

    def clean_username(self):
        name = self.cleaned_data["username"].strip()
        if not name:
            return None
        user = get_user_model().objects.filter(username=name, is_active=True).first()
        if user is None:
            raise ValidationError(_("没有这个用户名。"))
        return user


class RoomForm(forms.Form):
    room = forms.ModelChoiceField(queryset=None, required=False, widget=forms.HiddenInput)
    name = forms.CharField(label=_("名称"), max_length=60)
    kind = forms.ChoiceField(label=_("类型"), choices=RoomKind.choices)
    location = forms.CharField(label=_("位置"), max_length=100, required=False)
    seats = forms.IntegerField(label=_("可容纳人数"), min_value=1, max_value=2000, initial=20)
    opens_at = forms.TimeField(label=_("开放时间"), widget=_Time, initial="08:30")
    closes_at = forms.TimeField(label=_("关闭时间"), widget=_Time, initial="21:00")
    open_weekdays = forms.TypedMultipleChoiceField(
        label=_("开放日（不选为每天）"), coerce=int, choices=WEEKDAYS, required=False, widget=forms.CheckboxSelectMultiple
    )
    needs_approval = forms.BooleanField(label=_("预约需审批"), required=False)
    active = forms.BooleanField(label=_("可预约"), required=False, initial=True)

    def __init__(self, *args, rooms, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["room"].queryset = rooms


# ---- agency cases -------------------------------------------------------------------------------------------


class CaseForm(forms.Form):
    resident = forms.ModelChoiceField(label=_("委托人"), queryset=None)
    # The page's datalist offers the common matters (services.MATTERS), each with its steps.
    matter = forms.CharField(label=_("代办事项"), max_length=60, widget=forms.TextInput(attrs={"list": "matters"}))
    due_on = forms.DateField(label=_("承诺办结日期（可空）"), required=False, widget=_Date)

    def __init__(self, *args, residents, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["resident"].queryset = residents
        self.fields["resident"].label_from_instance = lambda r: f"{r.name} · {r.household.dwelling.address or r.household.dwelling.name}"


class StepDoneForm(forms.Form):
    step = forms.ModelChoiceField(queryset=None, widget=forms.HiddenInput)
    note = forms.CharField(label=_("办理情况"), max_length=300, required=False)

    def __init__(self, *args, steps, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["step"].queryset = steps


class StepAddForm(forms.Form):
    title = forms.CharField(label=_("环节"), max_length=60)
    office = forms.CharField(label=_("办理部门/窗口"), max_length=60, required=False)
    planned_on = forms.DateField(label=_("计划日期"), required=False, widget=_Date)


class DocumentForm(forms.Form):
    document = forms.ModelChoiceField(queryset=None, widget=forms.HiddenInput)

    def __init__(self, *args, documents, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["document"].queryset = documents


class CloseForm(forms.Form):
    outcome = forms.CharField(label=_("办理结果"), max_length=300)


# ---- the canteen and rooms -------------------------------------------------------------------------------------


class MealForm(forms.Form):
    date = forms.DateField(label=_("日期"), widget=_Date)
    kind = forms.ChoiceField(label=_("餐次"), choices=MealKind.choices)
    dishes = forms.CharField(label=_("菜品"), max_length=200)
    price = forms.DecimalField(label=_("价格（元）"), min_value=0, max_value=1000, decimal_places=2)
    capacity = forms.IntegerField(label=_("份数"), min_value=1, max_value=2000)


class MealOrderForm(forms.Form):
    resident = forms.ModelChoiceField(label=_("就餐人"), queryset=None, required=False, help_text=_("不选为本人"))
    quantity = forms.IntegerField(label=_("份数"), min_value=1, max_value=5, initial=1)
    delivery = forms.BooleanField(label=_("送餐上门"), required=False)

    def __init__(self, *args, residents, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["resident"].queryset = residents


class ServeForm(forms.Form):
    meal = forms.ModelChoiceField(queryset=None, widget=forms.HiddenInput)

    def __init__(self, *args, meals, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["meal"].queryset = meals


class BookingForm(forms.Form):
    date = forms.DateField(label=_("日期"), widget=_Date)
    starts = forms.TimeField(label=_("开始"), widget=_Time)
    ends = forms.TimeField(label=_("结束"), widget=_Time)
    purpose = forms.CharField(label=_("用途"), max_length=100)
    attendees = forms.IntegerField(label=_("人数"), min_value=1, max_value=2000, initial=1)
    organisation = forms.ModelChoiceField(label=_("以单位名义（可空）"), queryset=None, required=False)
    council = forms.ModelChoiceField(label=_("以议事会名义（可空）"), queryset=None, required=False)

    def __init__(self, *args, organisations, councils, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = organisations
        self.fields["council"].queryset = councils


class PhoneAcceptForm(forms.Form):
    provider = forms.ModelChoiceField(label=_("接单的服务方"), queryset=None)
    note = forms.CharField(label=_("通话说明"), max_length=200, required=False, help_text=_("如：12月4日14:30电话确认，明早上门。"))

    def __init__(self, *args, providers, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["provider"].queryset = providers
