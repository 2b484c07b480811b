"""The registry: places, grids, people, things and organisations (人、地、物、组织).

Invariants kept here are the ones the database can enforce; the rest (a unit's parent is
a building, a grid code extends its community's code, …) live in services.py.
"""

import re

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from treebeard.mp_tree import MP_Node

from linli.core.crypto import EncryptedCharField
from linli.core.files import RandomUploadPath
from linli.core.masking import age_band, mask_name


class PlaceKind(models.TextChoices):
    DISTRICT = "district", _("区")
    STREET = "street", _("街道/镇")
    COMMUNITY = "community", _("社区")
    COMPOUND = "compound", _("小区/院落")
    BUILDING = "building", _("楼栋")
    UNIT = "unit", _("单元")
    DWELLING = "dwelling", _("房屋")


# Which kind of place may sit under which: the one tree rule.
CHILD_KINDS = {
    None: {PlaceKind.DISTRICT},
    PlaceKind.DISTRICT: {PlaceKind.STREET},
    PlaceKind.STREET: {PlaceKind.COMMUNITY},
    PlaceKind.COMMUNITY: {PlaceKind.COMPOUND},
    PlaceKind.COMPOUND: {PlaceKind.BUILDING},
    PlaceKind.BUILDING: {PlaceKind.UNIT},
    PlaceKind.UNIT: {PlaceKind.DWELLING},
    PlaceKind.DWELLING: set(),
}


class ManagementStatus(models.TextChoices):
    PROPERTY = "property", _("物业管理")
    SELF = "self", _("自治管理")
    THREE_WITHOUT = "three_without", _("三无小区")


class DwellingUse(models.TextChoices):
    OWNER = "owner", _("自住")
    RENTED = "rented", _("出租")
    VACANT = "vacant", _("空置")


class Place(MP_Node):
    """One node of the place tree: district → street → community → compound → building → unit → dwelling.

    The materialised path (treebeard) makes "everything under this community" one indexed
    prefix query, which is what the scope rule needs.
    """

    kind = models.CharField(_("类型"), max_length=16, choices=PlaceKind.choices, db_index=True)
    name = models.CharField(_("名称"), max_length=100)
    # Administrative code: 6 digits for a district, 9 for a street, 12 for a community.
    code = models.CharField(_("代码"), max_length=20, blank=True, db_index=True)
    # "阳光小区 3栋 2单元 301": the address from the compound down, kept by services so a
    # list of residents shows addresses without walking the tree per row.
    address = models.CharField(_("地址"), max_length=200, blank=True)
    management_status = models.CharField(_("管理状态"), max_length=16, choices=ManagementStatus.choices, blank=True)  # compounds only
    floor_area = models.DecimalField(
        _("建筑面积（㎡）"), max_digits=8, decimal_places=2, null=True, blank=True, validators=[MinValueValidator(0)]
    )  # dwellings only
    use = models.CharField(_("房屋用途"), max_length=16, choices=DwellingUse.choices, blank=True)  # dwellings only
    # Denormalised by services: the grid that covers a building covers its units and dwellings,
    # and every place at or below a community knows its community.
    grid = models.ForeignKey("Grid", null=True, blank=True, on_delete=models.SET_NULL, related_name="places", verbose_name=_("所属网格"))
    community = models.ForeignKey("self", null=True, blank=True, on_delete=models.CASCADE, related_name="+", verbose_name=_("所属社区"))
    latitude = models.DecimalField(_("纬度"), max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField(_("经度"), max_digits=9, decimal_places=6, null=True, blank=True)

    node_order_by = []

    class Meta:
        verbose_name = _("地点")
        verbose_name_plural = _("地点")
        indexes = [models.Index(fields=["community", "kind"])]

    def __str__(self):
        return self.name

    @property
    def label(self) -> str:
        return self.address or self.name


class GridKind(models.TextChoices):
    COMPREHENSIVE = "comprehensive", _("全科网格")
    DEDICATED = "dedicated", _("专属网格")
    MICRO = "micro", _("微网格")


GRID_CODE_RE = re.compile(r"^\d{15}$")


def validate_grid_code(value: str) -> None:
    if not GRID_CODE_RE.match(value or ""):
        raise ValidationError(_("网格编码应为15位数字（6位区划+3位街道+3位社区+3位网格）。"), code="grid_code")


class Grid(models.Model):
    """A unit grid (单元网格) of a community, covering a set of buildings."""

    community = models.ForeignKey(
        Place, on_delete=models.PROTECT, related_name="grids", verbose_name=_("社区"), limit_choices_to={"kind": "community"}
    )
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.CASCADE, related_name="micro_grids", verbose_name=_("上级网格")
    )
    name = models.CharField(_("名称"), max_length=100)
    kind = models.CharField(_("类型"), max_length=16, choices=GridKind.choices, default=GridKind.COMPREHENSIVE)
    code = models.CharField(_("网格编码"), max_length=15, unique=True, validators=[validate_grid_code])
    description = models.CharField(_("说明"), max_length=200, blank=True)  # e.g. the school a dedicated grid serves

    class Meta:
        verbose_name = _("网格")
        verbose_name_plural = _("网格")
        ordering = ["code"]

    def __str__(self):
        return self.name


class CareTag(models.Model):
    """A care category (关怀标签): elderly living alone, low-income, party member, …"""

    code = models.SlugField(_("代码"), max_length=32, unique=True)
    name = models.CharField(_("名称"), max_length=32)
    # Sensitive tags (disability, low income) are shown only to roles that may see care status.
    sensitive = models.BooleanField(_("敏感"), default=True)

    class Meta:
        verbose_name = _("关怀标签")
        verbose_name_plural = _("关怀标签")
        ordering = ["id"]

    def __str__(self):
        return self.name


class Household(models.Model):
    """A household (户) living in one dwelling. Several households may share a dwelling (合租)."""

    dwelling = models.ForeignKey(
        Place, on_delete=models.PROTECT, related_name="households", verbose_name=_("房屋"), limit_choices_to={"kind": "dwelling"}
    )
    number = models.CharField(_("户号"), max_length=32, blank=True, db_index=True)
    created_at = models.DateTimeField(_("登记时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("家庭户")
        verbose_name_plural = _("家庭户")

    def __str__(self):
        return self.number or f"#{self.pk}"


class Gender(models.TextChoices):
    MALE = "M", _("男")
    FEMALE = "F", _("女")


class Registration(models.TextChoices):
    HUJI = "huji", _("户籍人口")
    CHANGZHU = "changzhu", _("常住人口")
    LIUDONG = "liudong", _("流动人口")


class Relationship(models.TextChoices):
    HEAD = "head", _("户主")
    SPOUSE = "spouse", _("配偶")
    CHILD = "child", _("子女")
    PARENT = "parent", _("父母")
    GRANDCHILD = "grandchild", _("孙辈")
    GRANDPARENT = "grandparent", _("祖父母")
    SIBLING = "sibling", _("兄弟姐妹")
    OTHER = "other", _("其他")


class Resident(models.Model):
    """A person in the registry. ID number and phone are encrypted; look-ups use their digests."""

    household = models.ForeignKey(Household, on_delete=models.PROTECT, related_name="members", verbose_name=_("家庭户"))
    name = models.CharField(_("姓名"), max_length=50)
    name_pinyin = models.CharField(_("姓名拼音"), max_length=200, db_index=True, editable=False)
    name_initials = models.CharField(_("拼音首字母"), max_length=50, db_index=True, editable=False)
    gender = models.CharField(_("性别"), max_length=1, choices=Gender.choices)
    birth_date = models.DateField(_("出生日期"), null=True, blank=True)
    id_number = EncryptedCharField(_("身份证号"), blank=True)
    id_number_digest = models.CharField(max_length=64, blank=True, editable=False)
    id_number_masked = models.CharField(_("身份证号"), max_length=18, blank=True, editable=False)
    phone = EncryptedCharField(_("手机号"), blank=True)
    phone_digest = models.CharField(max_length=64, blank=True, db_index=True, editable=False)
    phone_masked = models.CharField(_("手机号"), max_length=11, blank=True, editable=False)
    registration = models.CharField(_("户籍状态"), max_length=16, choices=Registration.choices, default=Registration.HUJI)
    relationship = models.CharField(_("与户主关系"), max_length=16, choices=Relationship.choices, default=Relationship.HEAD)
    care_tags = models.ManyToManyField(CareTag, blank=True, related_name="residents", verbose_name=_("关怀标签"))
    is_active = models.BooleanField(_("在册"), default=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("居民")
        verbose_name_plural = _("居民")
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["id_number_digest"], condition=~models.Q(id_number_digest=""), name="unique_resident_id_number")
        ]

    def __str__(self):
        return self.name

    @property
    def audit_label(self) -> str:
        return f"{mask_name(self.name)} #{self.pk}"

    @property
    def age_band(self) -> str:
        return age_band(self.birth_date)


class FacilityKind(models.TextChoices):
    STREET_LAMP = "street_lamp", _("路灯")
    WELL_COVER = "well_cover", _("井盖")
    EV_CHARGER = "ev_charger", _("充电桩")
    ELEVATOR = "elevator", _("电梯")
    PARKING_SPACE = "parking_space", _("停车位")
    FITNESS = "fitness", _("健身器材")
    CAMERA = "camera", _("监控摄像头")
    FIRE_HYDRANT = "fire_hydrant", _("消防栓")
    OTHER = "other", _("其他")


class FacilityStatus(models.TextChoices):
    NORMAL = "normal", _("正常")
    FAULTY = "faulty", _("故障")
    REPAIRING = "repairing", _("维修中")
    RETIRED = "retired", _("已停用")


class Organisation(models.Model):
    """Property companies, owners' committees, partner units, merchants, departments, social organisations, volunteer teams."""

    class Kind(models.TextChoices):
        PROPERTY_COMPANY = "property_company", _("物业公司")
        OWNERS_COMMITTEE = "owners_committee", _("业主委员会")
        PARTNER_UNIT = "partner_unit", _("共建单位")
        MERCHANT = "merchant", _("爱心商户")
        DEPARTMENT = "department", _("职能部门")
        SOCIAL_ORG = "social_org", _("社会组织")
        VOLUNTEER_TEAM = "volunteer_team", _("志愿服务队")

    kind = models.CharField(_("类型"), max_length=32, choices=Kind.choices, db_index=True)
    name = models.CharField(_("名称"), max_length=100)
    # The place the organisation belongs to: a community for most, a street or district for a department.
    place = models.ForeignKey(Place, on_delete=models.PROTECT, related_name="organisations", verbose_name=_("所属区域"))
    served_compounds = models.ManyToManyField(
        Place, blank=True, related_name="serving_organisations", verbose_name=_("服务小区"), limit_choices_to={"kind": "compound"}
    )
    contact_name = models.CharField(_("联系人"), max_length=50, blank=True)
    contact_phone = models.CharField(_("联系电话"), max_length=20, blank=True)
    address = models.CharField(_("地址"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("组织")
        verbose_name_plural = _("组织")
        ordering = ["kind", "name"]

    def __str__(self):
        return self.name


class Facility(models.Model):
    """A thing (物): a facility or city component at a place."""

    kind = models.CharField(_("类型"), max_length=32, choices=FacilityKind.choices)
    name = models.CharField(_("名称/编号"), max_length=100)
    place = models.ForeignKey(Place, on_delete=models.PROTECT, related_name="facilities", verbose_name=_("位置"))
    status = models.CharField(_("状态"), max_length=16, choices=FacilityStatus.choices, default=FacilityStatus.NORMAL)
    responsible = models.ForeignKey(
        Organisation, null=True, blank=True, on_delete=models.SET_NULL, related_name="facilities", verbose_name=_("责任单位")
    )
    latitude = models.DecimalField(_("纬度"), max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField(_("经度"), max_digits=9, decimal_places=6, null=True, blank=True)

    class Meta:
        verbose_name = _("设施部件")
        verbose_name_plural = _("设施部件")
        ordering = ["kind", "name"]

    def __str__(self):
        return f"{self.get_kind_display()} {self.name}"


class PartyOrgKind(models.TextChoices):
    """The levels of the party organisation, top to bottom. A community uses some of them
    (``PartyLevels``): the four-level form by default, or the six-level form
    街道党工委 → 社区党委 → 网格党支部 → 小区（邻里）党支部 → 楼栋党小组 → 党员中心户."""

    STREET_COMMITTEE = "street_committee", _("街道党工委")
    COMMITTEE = "committee", _("社区大党委")
    GRID_BRANCH = "grid_branch", _("网格党支部")
    COMPOUND_BRANCH = "compound_branch", _("小区（邻里）党支部")
    BUILDING_GROUP = "building_group", _("楼栋党小组")
    MEMBER_HOUSEHOLD = "member_household", _("党员中心户")


PARTY_LEVEL_ORDER = list(PartyOrgKind.values)
FOUR_LEVELS = [PartyOrgKind.COMMITTEE, PartyOrgKind.GRID_BRANCH, PartyOrgKind.BUILDING_GROUP, PartyOrgKind.MEMBER_HOUSEHOLD]
SIX_LEVELS = list(PARTY_LEVEL_ORDER)
# What each level is attached to (the street committee sits at the street, above communities).
PARTY_LEVEL_ANCHOR = {
    PartyOrgKind.STREET_COMMITTEE: "street",
    PartyOrgKind.COMMITTEE: None,
    PartyOrgKind.GRID_BRANCH: "grid",
    PartyOrgKind.COMPOUND_BRANCH: "compound",
    PartyOrgKind.BUILDING_GROUP: "building",
    PartyOrgKind.MEMBER_HOUSEHOLD: "household",
}


def party_child_kind(levels: list[str], parent_kind: str | None) -> str | None:
    """The kind a child takes under a parent of ``parent_kind`` in a community using ``levels``
    (the first level for a root; None below the last)."""
    ordered = [k for k in PARTY_LEVEL_ORDER if k in levels]
    if parent_kind is None:
        return ordered[0] if ordered else None
    if parent_kind not in ordered:
        return None
    i = ordered.index(parent_kind)
    return ordered[i + 1] if i + 1 < len(ordered) else None


class PartyLevels(models.Model):
    """The levels of the party tree a community uses (default: the four-level form)."""

    community = models.OneToOneField(Place, on_delete=models.CASCADE, related_name="party_levels", verbose_name=_("社区"))
    levels = models.JSONField(_("层级"), default=list)

    class Meta:
        verbose_name = _("党组织层级")
        verbose_name_plural = _("党组织层级")

    def __str__(self):
        return f"{self.community}: {len(self.levels)}"


class PartyOrganisation(MP_Node):
    """The party organisation that mirrors the grid: committee → grid branch → building group →
    member household (or the six-level form, see ``PartyOrgKind``)."""

    kind = models.CharField(_("类型"), max_length=32, choices=PartyOrgKind.choices)
    name = models.CharField(_("名称"), max_length=100)
    # The community the node belongs to; for a street party committee (街道党工委), the street.
    community = models.ForeignKey(Place, on_delete=models.CASCADE, related_name="party_organisations", verbose_name=_("社区"))
    grid = models.ForeignKey(
        Grid, null=True, blank=True, on_delete=models.SET_NULL, related_name="party_organisations", verbose_name=_("网格")
    )
    compound = models.ForeignKey(Place, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("小区"))
    building = models.ForeignKey(Place, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("楼栋"))
    household = models.ForeignKey(Household, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("家庭户"))
    secretary = models.ForeignKey(Resident, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("书记/组长"))

    node_order_by = []

    class Meta:
        verbose_name = _("党组织")
        verbose_name_plural = _("党组织")

    def __str__(self):
        return self.name


class CrossAppointment(models.Model):
    """双向进入、交叉任职: one person holding a post in the community's party organisation and one
    in the property company or the owners' committee (the community's secretary as the owners'
    committee's party-building adviser, the property manager as a part-time committee member).
    Shown on the party tree and on the organisation, with both posts."""

    community = models.ForeignKey(Place, on_delete=models.CASCADE, related_name="+", verbose_name=_("社区"))
    party_organisation = models.ForeignKey(
        "PartyOrganisation", on_delete=models.CASCADE, related_name="cross_appointments", verbose_name=_("党组织")
    )
    party_post = models.CharField(_("党组织职务"), max_length=30, help_text=_("如“兼职委员”"))
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="cross_appointments", verbose_name=_("单位"))
    organisation_post = models.CharField(_("单位职务"), max_length=30, help_text=_("如“项目经理”“业委会主任”"))
    name = models.CharField(_("姓名"), max_length=50)
    resident = models.ForeignKey(Resident, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("居民档案"))
    started_on = models.DateField(_("任职日期"))
    ended_on = models.DateField(_("卸任日期"), null=True, blank=True)

    class Meta:
        verbose_name = _("交叉任职")
        verbose_name_plural = _("交叉任职")
        ordering = ["-started_on", "id"]

    def __str__(self):
        return f"{self.name} {self.party_post}/{self.organisation_post}"


class BranchMeetingKind(models.TextChoices):
    """三会一课."""

    MEMBERS = "members", _("支部党员大会")
    COMMITTEE = "committee", _("支部委员会")
    GROUP = "group", _("党小组会")
    LESSON = "lesson", _("党课")


class BranchMeeting(models.Model):
    """A meeting or lesson of a party branch (三会一课): when, what it took up, who came."""

    party_organisation = models.ForeignKey("PartyOrganisation", on_delete=models.CASCADE, related_name="meetings", verbose_name=_("党组织"))
    kind = models.CharField(_("类型"), max_length=16, choices=BranchMeetingKind.choices)
    held_at = models.DateTimeField(_("时间"))
    location = models.CharField(_("地点"), max_length=100, blank=True)
    topics = models.TextField(_("议题/内容"))
    lecturer = models.CharField(_("授课人"), max_length=50, blank=True)
    attendees = models.ManyToManyField(Resident, blank=True, related_name="+", verbose_name=_("到会党员"))
    expected = models.PositiveSmallIntegerField(_("应到人数"), default=0)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("记录人"))
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("三会一课")
        verbose_name_plural = _("三会一课")
        ordering = ["-held_at", "-id"]

    def __str__(self):
        return f"{self.get_kind_display()} {self.held_at:%Y-%m-%d}"


class ImportJob(models.Model):
    """One Excel import: validated in full first, imported only when every row is clean."""

    class Status(models.TextChoices):
        PENDING = "pending", _("排队中")
        VALIDATING = "validating", _("校验中")
        INVALID = "invalid", _("有错误，未导入")
        IMPORTING = "importing", _("导入中")
        DONE = "done", _("已导入")
        FAILED = "failed", _("失败")

    community = models.ForeignKey(Place, on_delete=models.CASCADE, related_name="+", verbose_name=_("社区"))
    created_by = models.ForeignKey("accounts.User", on_delete=models.PROTECT, related_name="+", verbose_name=_("导入人"))
    # Stored under a random name and deleted once read (services.import_file_discard).
    file = models.FileField(_("文件"), upload_to=RandomUploadPath("imports"), blank=True)
    original_name = models.CharField(_("文件名"), max_length=200)
    status = models.CharField(_("状态"), max_length=16, choices=Status.choices, default=Status.PENDING)
    total_rows = models.PositiveIntegerField(_("总行数"), default=0)
    processed_rows = models.PositiveIntegerField(_("已处理"), default=0)
    created_count = models.PositiveIntegerField(_("新增"), default=0)
    updated_count = models.PositiveIntegerField(_("更新"), default=0)
    errors = models.JSONField(_("错误"), default=list, blank=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    finished_at = models.DateTimeField(_("完成时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("导入任务")
        verbose_name_plural = _("导入任务")
        ordering = ["-created_at"]

    def __str__(self):
        return self.original_name

    @property
    def percent(self) -> int:
        return int(self.processed_rows * 100 / self.total_rows) if self.total_rows else 0

    @property
    def is_running(self) -> bool:
        return self.status in {self.Status.PENDING, self.Status.VALIDATING, self.Status.IMPORTING}


class Ownership(models.Model):
    """Who owns a dwelling (业主), for owners' votes under Civil Code art. 278.

    ``owner_key`` identifies the person across dwellings (the digest of the ID number), so one
    owner of several dwellings counts once by number and with the sum of their areas. One row
    per dwelling: co-owners vote through one owner of record, as a dwelling counts once."""

    dwelling = models.OneToOneField(
        Place, on_delete=models.CASCADE, related_name="ownership", verbose_name=_("房屋"), limit_choices_to={"kind": "dwelling"}
    )
    owner_key = models.CharField(max_length=64, db_index=True, editable=False)
    owner_name = models.CharField(_("业主姓名"), max_length=50)
    resident = models.ForeignKey(
        Resident, null=True, blank=True, on_delete=models.SET_NULL, related_name="ownerships", verbose_name=_("居民档案")
    )

    class Meta:
        verbose_name = _("产权")
        verbose_name_plural = _("产权")

    def __str__(self):
        return f"{self.dwelling_id}:{self.owner_name}"
