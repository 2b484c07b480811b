from django import forms
from django.utils.translation import gettext_lazy as _

from linli.accounts.models import Role
from linli.registry.models import BranchMeetingKind, Gender, GridKind, Organisation, PartyOrgKind, Registration, Relationship


class ResidentForm(forms.Form):
    """Shape only: the rules (ID check digit, phone, consistency) are in services.clean_resident_fields."""

    name = forms.CharField(label=_("姓名"), max_length=50)
    gender = forms.ChoiceField(label=_("性别"), choices=[("", "—"), *Gender.choices], required=False)
    id_number = forms.CharField(label=_("身份证号码"), max_length=18, required=False)
    phone = forms.CharField(label=_("手机号码"), max_length=20, required=False)
    relationship = forms.ChoiceField(label=_("与户主关系"), choices=Relationship.choices)
    registration = forms.ChoiceField(label=_("户籍状态"), choices=Registration.choices)
    care_tags = forms.MultipleChoiceField(label=_("关怀标签"), required=False, widget=forms.CheckboxSelectMultiple)

    def __init__(self, *args, tag_choices=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["care_tags"].choices = list(tag_choices)


class ImportForm(forms.Form):
    community = forms.ChoiceField(label=_("社区"))
    file = forms.FileField(label=_("Excel 文件（.xlsx）"))

    def __init__(self, *args, communities=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["community"].choices = [(c.pk, c.name) for c in communities]


# ---- the grid and the community's structure, set up by its staff ------------------------------------


class GridForm(forms.Form):
    name = forms.CharField(label=_("名称"), max_length=100)
    code = forms.CharField(label=_("网格编码（15位）"), max_length=15, min_length=15)
    kind = forms.ChoiceField(label=_("类型"), choices=GridKind.choices, initial=GridKind.COMPREHENSIVE)
    parent = forms.ModelChoiceField(label=_("上级网格（微网格填写）"), queryset=None, required=False)
    description = forms.CharField(label=_("说明"), max_length=200, required=False)

    def __init__(self, *args, parents, editing=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["parent"].queryset = parents
        if editing:
            del self.fields["code"]  # the code is the grid's identity in the city's system


class GridBuildingsForm(forms.Form):
    buildings = forms.ModelMultipleChoiceField(label=_("楼栋"), queryset=None, widget=forms.CheckboxSelectMultiple)

    def __init__(self, *args, buildings, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["buildings"].queryset = buildings
        self.fields["buildings"].label_from_instance = lambda b: f"{b.address}（{b.grid.name if b.grid_id else _('未划分')}）"


GRID_PEOPLE_ROLES = [
    (Role.GRID_WORKER, Role.GRID_WORKER.label),
    (Role.GRID_LEADER, Role.GRID_LEADER.label),
    (Role.RED_STEWARD, Role.RED_STEWARD.label),
    (Role.BUILDING_HEAD, Role.BUILDING_HEAD.label),
]


class GridPersonForm(forms.Form):
    """Who works in the grid: an existing account by its username, or a new one (name + first
    password) made on the spot."""

    role = forms.ChoiceField(label=_("角色"), choices=GRID_PEOPLE_ROLES)
    username = forms.CharField(label=_("账号"), max_length=150)
    display_name = forms.CharField(label=_("姓名（新账号填写）"), max_length=50, required=False)
    password = forms.CharField(label=_("初始密码（新账号填写）"), max_length=128, required=False, widget=forms.PasswordInput)
    full_time = forms.BooleanField(label=_("专职网格员"), required=False, initial=True)
    building = forms.ModelChoiceField(label=_("楼栋（楼栋长填写）"), queryset=None, required=False)

    def __init__(self, *args, buildings, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["building"].queryset = buildings
        self.fields["building"].label_from_instance = lambda b: b.address or b.name


class OrganisationForm(forms.Form):
    kind = forms.ChoiceField(label=_("类型"), choices=Organisation.Kind.choices)
    name = forms.CharField(label=_("名称"), max_length=100)
    contact_name = forms.CharField(label=_("联系人"), max_length=50, required=False)
    contact_phone = forms.CharField(label=_("联系电话"), max_length=20, required=False)
    address = forms.CharField(label=_("地址"), max_length=200, required=False)
    served_compounds = forms.ModelMultipleChoiceField(
        label=_("服务小区"), queryset=None, required=False, widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args, compounds, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["served_compounds"].queryset = compounds


class PartyLevelsForm(forms.Form):
    levels = forms.MultipleChoiceField(label=_("使用的层级"), choices=PartyOrgKind.choices, widget=forms.CheckboxSelectMultiple)


class PartyNodeForm(forms.Form):
    """A node under a parent, attached to what its level needs (a grid, a compound, a building or
    a household, offered from under the parent); the view gives the choices."""

    name = forms.CharField(label=_("名称"), max_length=100)
    anchor = forms.ModelChoiceField(label=_("所属"), queryset=None, required=False)

    def __init__(self, *args, anchors=None, anchor_label="", describe=str, **kwargs):
        super().__init__(*args, **kwargs)
        if anchors is None:
            del self.fields["anchor"]
        else:
            self.fields["anchor"].queryset = anchors
            self.fields["anchor"].required = True
            self.fields["anchor"].label = anchor_label
            self.fields["anchor"].label_from_instance = describe


class PartyRenameForm(forms.Form):
    name = forms.CharField(label=_("名称"), max_length=100)


class CrossAppointmentForm(forms.Form):
    """交叉任职: shape only (rules in services.cross_appointment_add)."""

    name = forms.CharField(label=_("姓名"), max_length=50)
    party_organisation = forms.ModelChoiceField(label=_("党组织"), queryset=None)
    party_post = forms.CharField(label=_("党组织职务"), max_length=30, help_text=_("如“兼职委员”"))
    organisation = forms.ModelChoiceField(label=_("物业公司或业主委员会"), queryset=None)
    organisation_post = forms.CharField(label=_("单位职务"), max_length=30, help_text=_("如“项目经理”“业委会主任”"))
    started_on = forms.DateField(label=_("任职日期"), required=False, widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args, nodes, organisations, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["party_organisation"].queryset = nodes
        self.fields["organisation"].queryset = organisations


class BranchMeetingForm(forms.Form):
    """三会一课: shape only (rules in services.branch_meeting_record)."""

    party_organisation = forms.ModelChoiceField(label=_("党组织"), queryset=None)
    kind = forms.ChoiceField(label=_("类型"), choices=BranchMeetingKind.choices)
    held_at = forms.DateTimeField(label=_("时间"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"}))
    location = forms.CharField(label=_("地点"), max_length=100, required=False)
    topics = forms.CharField(label=_("议题/内容"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3}))
    lecturer = forms.CharField(label=_("授课人（党课）"), max_length=50, required=False)
    expected = forms.IntegerField(label=_("应到人数"), min_value=0, max_value=10000)
    attendees = forms.ModelMultipleChoiceField(label=_("到会党员"), queryset=None, required=False, widget=forms.CheckboxSelectMultiple)

    def __init__(self, *args, nodes, members, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["party_organisation"].queryset = nodes
        self.fields["attendees"].queryset = members
