"""Services the community delivers to the door (为民服务): the catalogue, its providers (the
乐修匠 craftsmen, volunteer teams, merchants, social organisations), orders through
点单—配单—送单, agency cases carried for a resident (全程代办), the community canteen
(长者食堂/社区食堂) and the rooms of the service centre (功能室、红色驿站、议事点).

Three races are settled in the database: one acceptance wins an order offered to several
providers (a conditional UPDATE on ``status = offered``), the last places of a meal
(``taken + n <= capacity``, and a CHECK), and two bookings of one room that overlap (an exclusion
constraint on PostgreSQL — added by migration 0002 — and the room's row lock everywhere).
"""

from __future__ import annotations

from datetime import time

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from linli.core.files import RandomUploadPath
from linli.volunteers.models import Availability, Skill


class ServiceCategory(models.TextChoices):
    REPAIR = "repair", _("维修")
    ELDERLY_CARE = "elderly_care", _("助老照护")
    LEGAL_AID = "legal_aid", _("法律援助")
    AGENCY = "agency", _("代办")
    CANTEEN = "canteen", _("助餐")
    OTHER = "other", _("其他")


class Eligibility(models.TextChoices):
    ALL = "all", _("全体居民")
    CARE = "care", _("关怀对象")


class ProviderKind(models.TextChoices):
    CRAFTSMAN = "craftsman", _("工匠")
    VOLUNTEER_TEAM = "volunteer_team", _("志愿服务队")
    MERCHANT = "merchant", _("商户")
    SOCIAL_ORG = "social_org", _("社会组织")


class Origin(models.TextChoices):
    """Where a craftsman comes from (乐修匠: unit staff and skilled residents)."""

    PARTNER_UNIT = "partner_unit", _("共建单位职工")
    RESIDENT = "resident", _("居民能人")
    THIRD_PARTY = "third_party", _("第三方机构")


class Provider(models.Model):
    """Someone who delivers services: a craftsman (a person with a phone), or an organisation
    whose contact person answers for it."""

    community = models.ForeignKey("registry.Place", on_delete=models.PROTECT, related_name="+", verbose_name=_("社区"))
    kind = models.CharField(_("类型"), max_length=16, choices=ProviderKind.choices)
    name = models.CharField(_("名称/姓名"), max_length=60)
    brand = models.CharField(_("服务品牌"), max_length=20, blank=True, help_text=_("如“乐修匠”"))
    # The person who accepts on a phone (the craftsman, or the organisation's contact).
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="service_providers",
        verbose_name=_("接单人账号"),
    )
    organisation = models.ForeignKey(
        "registry.Organisation", null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("所属单位/组织")
    )
    origin = models.CharField(_("来源"), max_length=16, choices=Origin.choices, blank=True)
    skills = models.JSONField(_("技能"), default=list)
    availability = models.JSONField(_("可服务时间"), default=list)
    # Where the provider lives or works: suggestions prefer the same building, then compound.
    base = models.ForeignKey(
        "registry.Place", null=True, blank=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("常驻位置")
    )
    active = models.BooleanField(_("在岗"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("服务提供方")
        verbose_name_plural = _("服务提供方")
        ordering = ["id"]

    def __str__(self):
        return self.name

    def skill_labels(self) -> list[str]:
        return [str(Skill(s).label) for s in self.skills if s in Skill.values]

    def availability_labels(self) -> list[str]:
        return [str(Availability(a).label) for a in self.availability if a in Availability.values]


class Service(models.Model):
    """One entry of the community's service catalogue (服务清单)."""

    community = models.ForeignKey("registry.Place", on_delete=models.PROTECT, related_name="+", verbose_name=_("社区"))
    name = models.CharField(_("服务名称"), max_length=60)
    category = models.CharField(_("类别"), max_length=16, choices=ServiceCategory.choices)
    description = models.CharField(_("说明"), max_length=300, blank=True)
    eligibility = models.CharField(_("服务对象"), max_length=8, choices=Eligibility.choices, default=Eligibility.ALL)
    care_tags = models.ManyToManyField("registry.CareTag", blank=True, related_name="+", verbose_name=_("关怀标签"))
    price = models.DecimalField(_("价格（元）"), max_digits=8, decimal_places=2, default=0, help_text=_("0 表示免费"))
    price_note = models.CharField(_("收费说明"), max_length=60, blank=True)
    skill = models.CharField(_("所需技能"), max_length=16, choices=Skill.choices, blank=True)
    match_days = models.PositiveSmallIntegerField(_("配单时限（工作日）"), default=1)
    deliver_days = models.PositiveSmallIntegerField(_("送单时限（工作日）"), default=3)
    providers = models.ManyToManyField(Provider, blank=True, related_name="services", verbose_name=_("服务提供方"))
    active = models.BooleanField(_("上架"), default=True)

    class Meta:
        verbose_name = _("服务项目")
        verbose_name_plural = _("服务项目")
        ordering = ["category", "id"]
        constraints = [
            models.UniqueConstraint(fields=["community", "name"], name="services_service_unique"),
            models.CheckConstraint(condition=Q(price__gte=0), name="services_price_not_negative"),
        ]

    def __str__(self):
        return self.name

    @property
    def is_free(self) -> bool:
        return not self.price


class OrderStatus(models.TextChoices):
    ORDERED = "ordered", _("待配单")  # 点单
    OFFERED = "offered", _("待接单")  # 配单: offered to one or several providers
    ACCEPTED = "accepted", _("已接单")
    DELIVERED = "delivered", _("待确认")  # 送单: the visit is recorded
    DONE = "done", _("已完成")
    CANCELLED = "cancelled", _("已取消")

    @classmethod
    def open_values(cls) -> list[str]:
        return [cls.ORDERED, cls.OFFERED, cls.ACCEPTED, cls.DELIVERED]


class OrderChannel(models.TextChoices):
    SELF = "self", _("本人点单")
    GRID_WORKER = "grid_worker", _("网格员代点")
    STAFF = "staff", _("社区代点")
    VISIT = "visit", _("走访发现")
    APPEAL = "appeal", _("诉求转办")


class Slot(models.TextChoices):
    ANY = "any", _("时间不限")
    MORNING = "morning", _("上午")
    AFTERNOON = "afternoon", _("下午")
    EVENING = "evening", _("晚上")


class Order(models.Model):
    """A service order (服务单): 点单 by or for a resident, 配单 by staff, 送单 by a provider."""

    community = models.ForeignKey("registry.Place", on_delete=models.PROTECT, related_name="+", verbose_name=_("社区"))
    service = models.ForeignKey(Service, on_delete=models.PROTECT, related_name="orders", verbose_name=_("服务项目"))
    resident = models.ForeignKey("registry.Resident", on_delete=models.PROTECT, related_name="+", verbose_name=_("服务对象"))
    # The dwelling served: scope follows the place, as for appeals.
    place = models.ForeignKey("registry.Place", on_delete=models.PROTECT, related_name="+", verbose_name=_("服务地址"))
    ordered_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("点单人"))
    channel = models.CharField(_("来源"), max_length=16, choices=OrderChannel.choices, default=OrderChannel.SELF)
    description = models.CharField(_("需求说明"), max_length=1000)
    wanted_on = models.DateField(_("希望日期"), null=True, blank=True)
    wanted_slot = models.CharField(_("希望时段"), max_length=12, choices=Slot.choices, default=Slot.ANY)
    price = models.DecimalField(_("价格（元）"), max_digits=8, decimal_places=2, default=0)
    status = models.CharField(_("状态"), max_length=12, choices=OrderStatus.choices, default=OrderStatus.ORDERED, db_index=True)
    provider = models.ForeignKey(Provider, null=True, blank=True, on_delete=models.PROTECT, related_name="orders", verbose_name=_("服务方"))
    created_at = models.DateTimeField(_("点单时间"), default=timezone.now, db_index=True)
    matched_at = models.DateTimeField(_("配单时间"), null=True, blank=True)
    matched_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    accepted_at = models.DateTimeField(_("接单时间"), null=True, blank=True)
    # A provider without the app says yes by phone; staff record it, and who did is kept.
    accepted_by_phone = models.BooleanField(_("电话接单"), default=False)
    acceptance_recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("接单记录人")
    )
    delivered_at = models.DateTimeField(_("送单时间"), null=True, blank=True)
    done_at = models.DateTimeField(_("完成时间"), null=True, blank=True)
    cancelled_at = models.DateTimeField(_("取消时间"), null=True, blank=True)
    cancel_reason = models.CharField(_("取消原因"), max_length=200, blank=True)
    # Deadlines a worker scans (working days from the catalogue entry).
    match_due = models.DateTimeField(_("配单期限"), null=True, blank=True, db_index=True)
    deliver_due = models.DateTimeField(_("送单期限"), null=True, blank=True, db_index=True)
    visit_note = models.CharField(_("服务记录"), max_length=1000, blank=True)
    # How long the visit took: a registered volunteer's hours are credited from it on confirmation.
    service_hours = models.DecimalField(_("服务时长（小时）"), max_digits=4, decimal_places=1, null=True, blank=True)
    rating = models.PositiveSmallIntegerField(_("评价"), null=True, blank=True)
    rating_comment = models.CharField(_("评价意见"), max_length=300, blank=True)
    # Set once when the order reaches staff: a low rating or a missed time limit.
    flagged_at = models.DateTimeField(_("提醒督办时间"), null=True, blank=True)
    flag_reason = models.CharField(_("督办原因"), max_length=16, blank=True)
    source_appeal = models.ForeignKey(
        "appeals.Appeal", null=True, blank=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("来源诉求")
    )
    idempotency_key = models.CharField(max_length=64, null=True, blank=True, editable=False)

    class Flag(models.TextChoices):
        LOW_RATING = "low_rating", _("低评价")
        MATCH_LATE = "match_late", _("配单超时")
        DELIVER_LATE = "deliver_late", _("送单超时")

    class Meta:
        verbose_name = _("服务单")
        verbose_name_plural = _("服务单")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(rating__isnull=True) | Q(rating__gte=1, rating__lte=5), name="services_rating_1_5"),
            models.UniqueConstraint(fields=["ordered_by", "idempotency_key"], name="services_order_idempotent"),
            models.CheckConstraint(
                condition=~Q(status__in=["accepted", "delivered", "done"]) | Q(provider__isnull=False), name="services_order_has_provider"
            ),
        ]
        indexes = [models.Index(fields=["community", "status"], name="services_order_comm_status")]

    def __str__(self):
        return self.number

    @property
    def number(self) -> str:
        return f"FW{timezone.localtime(self.created_at):%Y%m%d}-{self.pk}"

    @property
    def is_open(self) -> bool:
        return self.status in OrderStatus.open_values()


class OfferStatus(models.TextChoices):
    OFFERED = "offered", _("待答复")
    ACCEPTED = "accepted", _("已接单")
    DECLINED = "declined", _("已婉拒")
    CLOSED = "closed", _("已关闭")  # another provider accepted, or staff withdrew it


class OrderOffer(models.Model):
    """An order offered to one provider (配单); when offered to several, one acceptance wins."""

    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="offers", verbose_name=_("服务单"))
    provider = models.ForeignKey(Provider, on_delete=models.PROTECT, related_name="offers", verbose_name=_("服务方"))
    status = models.CharField(_("状态"), max_length=12, choices=OfferStatus.choices, default=OfferStatus.OFFERED)
    decline_reason = models.CharField(_("婉拒原因"), max_length=200, blank=True)
    offered_at = models.DateTimeField(auto_now_add=True)
    answered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("派单")
        verbose_name_plural = _("派单")
        ordering = ["id"]
        constraints = [models.UniqueConstraint(fields=["order", "provider"], name="services_offer_unique")]

    def __str__(self):
        return f"{self.order_id}:{self.provider_id}"


class OrderPhoto(models.Model):
    """A photo of the visit (the same cleaning as an appeal's photos: no EXIF, re-encoded)."""

    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="photos")
    image = models.ImageField(upload_to=RandomUploadPath("services"))
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]

    def __str__(self):
        return f"{self.order_id}:{self.pk}"


# ---- agency cases (全程代办) -------------------------------------------------------------------------


class CaseStatus(models.TextChoices):
    OPEN = "open", _("办理中")
    DONE = "done", _("已办结")
    CANCELLED = "cancelled", _("已撤销")


class AgencyCase(models.Model):
    """A matter the community carries for a resident through several offices (全程代办),
    e.g. 高龄补贴, 残疾证, 医保报销."""

    community = models.ForeignKey("registry.Place", on_delete=models.PROTECT, related_name="+", verbose_name=_("社区"))
    resident = models.ForeignKey("registry.Resident", on_delete=models.PROTECT, related_name="+", verbose_name=_("委托人"))
    matter = models.CharField(_("代办事项"), max_length=60)
    agent = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("代办员"))
    opened_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("受理人"))
    status = models.CharField(_("状态"), max_length=12, choices=CaseStatus.choices, default=CaseStatus.OPEN, db_index=True)
    opened_at = models.DateTimeField(_("受理时间"), default=timezone.now)
    due_on = models.DateField(_("承诺办结日期"), null=True, blank=True)
    closed_at = models.DateTimeField(_("办结时间"), null=True, blank=True)
    outcome = models.CharField(_("办理结果"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("代办事项")
        verbose_name_plural = _("代办事项")
        ordering = ["-opened_at", "-id"]

    def __str__(self):
        return self.matter


class AgencyStep(models.Model):
    case = models.ForeignKey(AgencyCase, on_delete=models.CASCADE, related_name="steps", verbose_name=_("代办事项"))
    position = models.PositiveSmallIntegerField(_("顺序"))
    title = models.CharField(_("环节"), max_length=60)
    office = models.CharField(_("办理部门/窗口"), max_length=60, blank=True)
    planned_on = models.DateField(_("计划日期"), null=True, blank=True)
    done_on = models.DateField(_("完成日期"), null=True, blank=True)
    note = models.CharField(_("备注"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("代办环节")
        verbose_name_plural = _("代办环节")
        ordering = ["position", "id"]
        constraints = [models.UniqueConstraint(fields=["case", "position"], name="services_step_position")]

    def __str__(self):
        return self.title


class AgencyDocument(models.Model):
    """One item of the documents checklist: received from the resident, returned at the end."""

    case = models.ForeignKey(AgencyCase, on_delete=models.CASCADE, related_name="documents", verbose_name=_("代办事项"))
    name = models.CharField(_("材料"), max_length=60)
    received_on = models.DateField(_("收取日期"), null=True, blank=True)
    returned_on = models.DateField(_("归还日期"), null=True, blank=True)

    class Meta:
        verbose_name = _("代办材料")
        verbose_name_plural = _("代办材料")
        ordering = ["id"]

    def __str__(self):
        return self.name


# ---- the canteen (社区食堂) ----------------------------------------------------------------------------


class Canteen(models.Model):
    community = models.ForeignKey("registry.Place", on_delete=models.PROTECT, related_name="+", verbose_name=_("社区"))
    name = models.CharField(_("名称"), max_length=60)
    address = models.CharField(_("地址"), max_length=100, blank=True)
    lunch_cutoff = models.TimeField(_("午餐截止订餐时间"), default=time(9, 30))
    dinner_cutoff = models.TimeField(_("晚餐截止订餐时间"), default=time(15, 0))
    elderly_age = models.PositiveSmallIntegerField(_("老年优惠年龄"), default=60)
    elderly_discount = models.PositiveSmallIntegerField(_("老年优惠（%）"), default=20)
    care_discount = models.PositiveSmallIntegerField(_("关怀对象优惠（%）"), default=50)
    care_tags = models.ManyToManyField("registry.CareTag", blank=True, related_name="+", verbose_name=_("享受关怀优惠的标签"))
    delivers = models.BooleanField(_("提供送餐"), default=True)
    active = models.BooleanField(_("营业"), default=True)

    class Meta:
        verbose_name = _("社区食堂")
        verbose_name_plural = _("社区食堂")
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(condition=Q(elderly_discount__lte=100, care_discount__lte=100), name="services_discount_le_100")
        ]

    def __str__(self):
        return self.name


class MealKind(models.TextChoices):
    LUNCH = "lunch", _("午餐")
    DINNER = "dinner", _("晚餐")


class Meal(models.Model):
    """One meal of the menu (菜单) with its places: ``taken`` counts the places ordered."""

    canteen = models.ForeignKey(Canteen, on_delete=models.CASCADE, related_name="meals", verbose_name=_("食堂"))
    date = models.DateField(_("日期"))
    kind = models.CharField(_("餐次"), max_length=8, choices=MealKind.choices)
    dishes = models.CharField(_("菜品"), max_length=200)
    price = models.DecimalField(_("价格（元）"), max_digits=6, decimal_places=2)
    capacity = models.PositiveSmallIntegerField(_("份数"))
    taken = models.PositiveSmallIntegerField(_("已订"), default=0)
    cutoff_at = models.DateTimeField(_("截止订餐"))

    class Meta:
        verbose_name = _("菜单")
        verbose_name_plural = _("菜单")
        ordering = ["date", "kind"]
        constraints = [
            models.UniqueConstraint(fields=["canteen", "date", "kind"], name="services_meal_unique"),
            models.CheckConstraint(condition=Q(taken__lte=F("capacity")), name="services_meal_taken_le_capacity"),
            models.CheckConstraint(condition=Q(price__gte=0), name="services_meal_price_not_negative"),
        ]

    def __str__(self):
        return f"{self.date} {self.get_kind_display()}"

    @property
    def places_left(self) -> int:
        return max(self.capacity - self.taken, 0)

    @property
    def open_for_orders(self) -> bool:
        return timezone.now() < self.cutoff_at


class MealOrderStatus(models.TextChoices):
    ORDERED = "ordered", _("已订")
    SERVED = "served", _("已用餐/已送达")
    CANCELLED = "cancelled", _("已取消")


class MealOrder(models.Model):
    meal = models.ForeignKey(Meal, on_delete=models.PROTECT, related_name="orders", verbose_name=_("菜单"))
    resident = models.ForeignKey("registry.Resident", on_delete=models.PROTECT, related_name="+", verbose_name=_("就餐人"))
    ordered_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("订餐人"))
    quantity = models.PositiveSmallIntegerField(_("份数"), default=1)
    unit_price = models.DecimalField(_("单价（元）"), max_digits=6, decimal_places=2)
    discount_reason = models.CharField(_("优惠"), max_length=20, blank=True)
    delivery = models.BooleanField(_("送餐上门"), default=False)
    status = models.CharField(_("状态"), max_length=12, choices=MealOrderStatus.choices, default=MealOrderStatus.ORDERED)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("订餐")
        verbose_name_plural = _("订餐")
        ordering = ["meal__date", "id"]
        constraints = [
            # One live order per person and meal: a double submit is one order.
            models.UniqueConstraint(fields=["meal", "resident"], condition=~Q(status="cancelled"), name="services_mealorder_one_per_meal"),
            models.CheckConstraint(condition=Q(quantity__gte=1, quantity__lte=5), name="services_mealorder_quantity"),
        ]

    def __str__(self):
        return f"{self.meal_id}:{self.pk}"

    @property
    def amount(self):
        return self.unit_price * self.quantity


# ---- rooms (功能室、红色驿站、议事点) ----------------------------------------------------------------------


class RoomKind(models.TextChoices):
    FUNCTION = "function", _("功能室")
    RED_POST = "red_post", _("红色驿站")
    COUNCIL_POINT = "council_point", _("议事点")
    HALL = "hall", _("多功能厅")


class Room(models.Model):
    community = models.ForeignKey("registry.Place", on_delete=models.PROTECT, related_name="+", verbose_name=_("社区"))
    name = models.CharField(_("名称"), max_length=60)
    kind = models.CharField(_("类型"), max_length=16, choices=RoomKind.choices, default=RoomKind.FUNCTION)
    location = models.CharField(_("位置"), max_length=100, blank=True)
    seats = models.PositiveSmallIntegerField(_("可容纳人数"), default=20)
    opens_at = models.TimeField(_("开放时间"), default=time(8, 30))
    closes_at = models.TimeField(_("关闭时间"), default=time(21, 0))
    open_weekdays = models.JSONField(_("开放日（周一=0）"), default=list)
    needs_approval = models.BooleanField(_("需审批"), default=False)
    active = models.BooleanField(_("可预约"), default=True)

    class Meta:
        verbose_name = _("场地")
        verbose_name_plural = _("场地")
        ordering = ["id"]
        constraints = [models.CheckConstraint(condition=Q(closes_at__gt=F("opens_at")), name="services_room_hours")]

    def __str__(self):
        return self.name


class BookingStatus(models.TextChoices):
    PENDING = "pending", _("待审批")
    APPROVED = "approved", _("已预约")
    REJECTED = "rejected", _("未通过")
    CANCELLED = "cancelled", _("已取消")

    @classmethod
    def holding(cls) -> list[str]:
        """The states that hold the slot (a pending request holds it until decided)."""
        return [cls.PENDING, cls.APPROVED]


class Booking(models.Model):
    room = models.ForeignKey(Room, on_delete=models.PROTECT, related_name="bookings", verbose_name=_("场地"))
    booked_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("预约人"))
    organisation = models.ForeignKey(
        "registry.Organisation", null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("预约单位")
    )
    council = models.ForeignKey(
        "councils.Council", null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("议事会")
    )
    purpose = models.CharField(_("用途"), max_length=100)
    attendees = models.PositiveSmallIntegerField(_("人数"), default=1)
    starts_at = models.DateTimeField(_("开始"))
    ends_at = models.DateTimeField(_("结束"))
    status = models.CharField(_("状态"), max_length=12, choices=BookingStatus.choices, default=BookingStatus.APPROVED, db_index=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)
    reason = models.CharField(_("说明"), max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("场地预约")
        verbose_name_plural = _("场地预约")
        ordering = ["starts_at"]
        constraints = [models.CheckConstraint(condition=Q(ends_at__gt=F("starts_at")), name="services_booking_positive")]
        indexes = [models.Index(fields=["room", "starts_at"], name="services_booking_room_start")]

    def __str__(self):
        return f"{self.room_id} {self.starts_at:%Y-%m-%d %H:%M}"
