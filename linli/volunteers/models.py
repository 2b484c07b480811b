"""Volunteers (志愿者), their teams, activities, service hours and points, and the merchant
alliance (爱心商圈) where points and care status buy free services and goods.

Hours and points live in an append-only ledger (``LedgerEntry``); ``Volunteer.hours`` and
``Volunteer.points`` are its running sums, moved only by conditional UPDATEs in the same
transaction as the entry, so a balance can never go below zero (a CHECK constraint says so too).
"""

from __future__ import annotations

import secrets
from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Skill(models.TextChoices):
    REPAIR = "repair", _("家电维修")
    ELDERLY_CARE = "elderly_care", _("助老陪护")
    MEDICAL = "medical", _("医疗义诊")
    LEGAL = "legal", _("法律咨询")
    HAIRCUT = "haircut", _("理发")
    TUTORING = "tutoring", _("课业辅导")
    ARTS = "arts", _("文艺演出")
    PUBLICITY = "publicity", _("宣传讲解")
    PATROL = "patrol", _("治安巡逻")
    DRIVING = "driving", _("驾驶")
    PHOTOGRAPHY = "photography", _("摄影")
    OTHER = "other", _("其他")


class Availability(models.TextChoices):
    WEEKDAY_DAY = "weekday_day", _("工作日白天")
    WEEKDAY_EVENING = "weekday_evening", _("工作日晚上")
    WEEKEND = "weekend", _("周末")


class ActivityKind(models.TextChoices):
    ENVIRONMENT = "environment", _("环境整治")
    ELDERLY = "elderly", _("助老服务")
    HEALTH = "health", _("健康义诊")
    HAIRCUT = "haircut", _("爱心义剪")
    ANTI_FRAUD = "anti_fraud", _("反诈宣传")
    CULTURE = "culture", _("文体活动")
    PATROL = "patrol", _("平安巡逻")
    REPAIR = "repair", _("便民维修")
    OTHER = "other", _("其他")


# The star levels of the national volunteer record (一星 100 h … 五星 1500 h).
DEFAULT_STAR_HOURS = [100, 300, 600, 1000, 1500]


class Policy(models.Model):
    """A community's points rules (积分规则): what an hour earns, the cap per activity, stars."""

    community = models.OneToOneField("registry.Place", on_delete=models.CASCADE, related_name="+", verbose_name=_("社区"))
    points_per_hour = models.PositiveSmallIntegerField(_("每小时积分"), default=10)
    max_hours_per_activity = models.DecimalField(_("单次活动时长上限（小时）"), max_digits=4, decimal_places=1, default=Decimal("8.0"))
    star_hours = models.JSONField(_("星级时长门槛"), default=list)
    points_valid_months = models.PositiveSmallIntegerField(_("积分有效期（月）"), default=0, help_text=_("0 表示长期有效"))

    class Meta:
        verbose_name = _("积分规则")
        verbose_name_plural = _("积分规则")

    def __str__(self):
        return str(self.community)


class KindRule(models.Model):
    """Per activity kind: another rate and a bonus per attendance (e.g. 助老 counts more)."""

    community = models.ForeignKey("registry.Place", on_delete=models.CASCADE, related_name="+", verbose_name=_("社区"))
    kind = models.CharField(_("活动类型"), max_length=16, choices=ActivityKind.choices)
    points_per_hour = models.PositiveSmallIntegerField(_("每小时积分"))
    bonus_points = models.PositiveSmallIntegerField(_("每次参加加分"), default=0)

    class Meta:
        verbose_name = _("类型积分规则")
        verbose_name_plural = _("类型积分规则")
        constraints = [models.UniqueConstraint(fields=["community", "kind"], name="volunteers_kindrule_unique")]

    def __str__(self):
        return f"{self.community_id}:{self.kind}"


class PointsCampaign(models.Model):
    """A themed campaign (主题活动月) such as 雷锋月: its activities earn a bonus."""

    community = models.ForeignKey("registry.Place", on_delete=models.CASCADE, related_name="+", verbose_name=_("社区"))
    name = models.CharField(_("名称"), max_length=40)
    starts_on = models.DateField(_("开始日期"))
    ends_on = models.DateField(_("结束日期"))
    bonus_percent = models.PositiveSmallIntegerField(_("积分加成（%）"), default=0)

    class Meta:
        verbose_name = _("主题活动")
        verbose_name_plural = _("主题活动")
        ordering = ["-starts_on"]

    def __str__(self):
        return self.name


class Team(models.Model):
    """A volunteer team (志愿服务队); the registry's organisation of the same name, when there is one."""

    community = models.ForeignKey("registry.Place", on_delete=models.PROTECT, related_name="+", verbose_name=_("社区"))
    name = models.CharField(_("名称"), max_length=60)
    organisation = models.OneToOneField(
        "registry.Organisation", null=True, blank=True, on_delete=models.SET_NULL, related_name="volunteer_team", verbose_name=_("组织")
    )
    description = models.CharField(_("简介"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("志愿服务队")
        verbose_name_plural = _("志愿服务队")
        ordering = ["id"]
        constraints = [models.UniqueConstraint(fields=["community", "name"], name="volunteers_team_unique")]

    def __str__(self):
        return self.name


class VolunteerStatus(models.TextChoices):
    PENDING = "pending", _("待审核")
    ACTIVE = "active", _("在册")
    REJECTED = "rejected", _("未通过")
    SUSPENDED = "suspended", _("已暂停")


class Volunteer(models.Model):
    """A registered volunteer: a resident, or a partner unit's staff (在职党员 serving where they work)."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="volunteer", verbose_name=_("用户"))
    community = models.ForeignKey("registry.Place", on_delete=models.PROTECT, related_name="+", verbose_name=_("社区"))
    resident = models.ForeignKey(
        "registry.Resident", null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("居民")
    )
    organisation = models.ForeignKey(
        "registry.Organisation", null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("所在单位")
    )
    name = models.CharField(_("姓名"), max_length=50)
    skills = models.JSONField(_("技能"), default=list)
    availability = models.JSONField(_("可服务时间"), default=list)
    introduction = models.CharField(_("自我介绍"), max_length=200, blank=True)
    status = models.CharField(_("状态"), max_length=16, choices=VolunteerStatus.choices, default=VolunteerStatus.PENDING, db_index=True)
    status_note = models.CharField(_("审核意见"), max_length=200, blank=True)
    # Running sums of the ledger (moved with each entry, never set by hand).
    hours = models.DecimalField(_("累计服务时长"), max_digits=8, decimal_places=1, default=Decimal("0.0"))
    points = models.IntegerField(_("积分余额"), default=0)
    registered_at = models.DateTimeField(_("注册时间"), auto_now_add=True)
    reviewed_at = models.DateTimeField(_("审核时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("志愿者")
        verbose_name_plural = _("志愿者")
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(condition=Q(points__gte=0), name="volunteers_points_not_negative"),
            models.CheckConstraint(condition=Q(hours__gte=0), name="volunteers_hours_not_negative"),
        ]

    def __str__(self):
        return self.name

    @property
    def is_active(self) -> bool:
        return self.status == VolunteerStatus.ACTIVE


class Membership(models.Model):
    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="memberships", verbose_name=_("志愿服务队"))
    volunteer = models.ForeignKey(Volunteer, on_delete=models.CASCADE, related_name="memberships", verbose_name=_("志愿者"))
    leader = models.BooleanField(_("队长"), default=False)
    joined_at = models.DateTimeField(_("加入时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("队员")
        verbose_name_plural = _("队员")
        constraints = [models.UniqueConstraint(fields=["team", "volunteer"], name="volunteers_membership_unique")]

    def __str__(self):
        return f"{self.team_id}:{self.volunteer_id}"


class ActivityStatus(models.TextChoices):
    PUBLISHED = "published", _("已发布")
    CANCELLED = "cancelled", _("已取消")


def _token() -> str:
    return secrets.token_urlsafe(16)


class Activity(models.Model):
    """A volunteer activity (志愿活动): places to fill, a QR at the place to check in and out."""

    community = models.ForeignKey("registry.Place", on_delete=models.PROTECT, related_name="+", verbose_name=_("社区"))
    team = models.ForeignKey(Team, null=True, blank=True, on_delete=models.PROTECT, related_name="activities", verbose_name=_("志愿服务队"))
    campaign = models.ForeignKey(
        PointsCampaign, null=True, blank=True, on_delete=models.SET_NULL, related_name="activities", verbose_name=_("主题活动")
    )
    kind = models.CharField(_("类型"), max_length=16, choices=ActivityKind.choices)
    title = models.CharField(_("活动名称"), max_length=60)
    description = models.TextField(_("活动内容"), blank=True)
    location = models.CharField(_("地点"), max_length=100)
    starts_at = models.DateTimeField(_("开始时间"), db_index=True)
    ends_at = models.DateTimeField(_("结束时间"))
    capacity = models.PositiveSmallIntegerField(_("招募人数"))
    # Places taken: moved by conditional UPDATE only, so the last places are never over-filled.
    taken = models.PositiveSmallIntegerField(_("已报名"), default=0)
    skills = models.JSONField(_("所需技能"), default=list, blank=True)
    status = models.CharField(_("状态"), max_length=16, choices=ActivityStatus.choices, default=ActivityStatus.PUBLISHED)
    checkin_token = models.CharField(max_length=32, default=_token, editable=False)
    organiser = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("发布人"))
    created_at = models.DateTimeField(_("发布时间"), auto_now_add=True)
    # The reminder scan claims each activity once (a deadline column, Healthchecks-style).
    reminded_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("志愿活动")
        verbose_name_plural = _("志愿活动")
        ordering = ["starts_at", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(taken__lte=F("capacity")), name="volunteers_activity_not_overfilled"),
            models.CheckConstraint(condition=Q(ends_at__gt=F("starts_at")), name="volunteers_activity_ends_after_start"),
        ]

    def __str__(self):
        return self.title

    @property
    def places_left(self) -> int:
        return max(0, self.capacity - self.taken)

    @property
    def is_over(self) -> bool:
        return self.ends_at <= timezone.now()


class SignUpStatus(models.TextChoices):
    SIGNED = "signed", _("已报名")
    WITHDRAWN = "withdrawn", _("已取消报名")


class SignUp(models.Model):
    activity = models.ForeignKey(Activity, on_delete=models.CASCADE, related_name="signups", verbose_name=_("活动"))
    volunteer = models.ForeignKey(Volunteer, on_delete=models.PROTECT, related_name="signups", verbose_name=_("志愿者"))
    status = models.CharField(_("状态"), max_length=16, choices=SignUpStatus.choices, default=SignUpStatus.SIGNED)
    signed_at = models.DateTimeField(_("报名时间"), auto_now_add=True)
    checked_in_at = models.DateTimeField(_("签到时间"), null=True, blank=True)
    checked_out_at = models.DateTimeField(_("签退时间"), null=True, blank=True)
    # What the ledger credits for this attendance now (after corrections).
    hours = models.DecimalField(_("服务时长"), max_digits=4, decimal_places=1, null=True, blank=True)

    class Meta:
        verbose_name = _("报名")
        verbose_name_plural = _("报名")
        ordering = ["signed_at", "id"]
        constraints = [models.UniqueConstraint(fields=["activity", "volunteer"], name="volunteers_signup_unique")]

    def __str__(self):
        return f"{self.activity_id}:{self.volunteer_id}"


class EntryKind(models.TextChoices):
    EARN = "earn", _("服务获得")
    CORRECT = "correct", _("更正")
    REDEEM = "redeem", _("兑换")
    EXPIRE = "expire", _("过期")


class AppendOnly(Exception):
    pass


class LedgerEntry(models.Model):
    """One movement of hours and points (志愿服务记录). Entries are never changed: a mistake is
    reversed by a correcting entry that names the one it reverses."""

    volunteer = models.ForeignKey(Volunteer, on_delete=models.PROTECT, related_name="entries", verbose_name=_("志愿者"))
    kind = models.CharField(_("类型"), max_length=16, choices=EntryKind.choices)
    hours = models.DecimalField(_("时长"), max_digits=6, decimal_places=1, default=Decimal("0.0"))
    points = models.IntegerField(_("积分"), default=0)
    signup = models.ForeignKey(SignUp, null=True, blank=True, on_delete=models.PROTECT, related_name="entries")
    redemption = models.ForeignKey("Redemption", null=True, blank=True, on_delete=models.PROTECT, related_name="entries")
    reverses = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="reversed_by")
    reason = models.CharField(_("说明"), max_length=200, blank=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(_("时间"), default=timezone.now, db_index=True)
    # Service done outside an activity (a service order, a duty shift): "services.order:42".
    # Unique, so the same service is credited once however often its confirmation arrives.
    source = models.CharField(_("来源"), max_length=40, null=True, blank=True)

    class Meta:
        verbose_name = _("时长积分记录")
        verbose_name_plural = _("时长积分记录")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["source"], condition=Q(source__isnull=False, kind="earn"), name="one_earning_per_source")
        ]

    def __str__(self):
        return f"{self.kind} {self.hours}h {self.points}"

    def save(self, *args, **kwargs):
        # The ledger's one invariant that is not a sum: rows are written once.
        if self.pk is not None:
            raise AppendOnly("ledger entries are never changed; add a correcting entry")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnly("ledger entries are never deleted")


class OfferKind(models.TextChoices):
    FREE_SERVICE = "free_service", _("免费服务")
    DISCOUNT = "discount", _("优惠折扣")
    GIFT = "gift", _("爱心礼品")


class Offer(models.Model):
    """What a caring merchant (爱心商户) gives: to volunteers for points, to households in
    hardship by care tag, within limits."""

    merchant = models.ForeignKey("registry.Organisation", on_delete=models.PROTECT, related_name="offers", verbose_name=_("商户"))
    community = models.ForeignKey("registry.Place", on_delete=models.PROTECT, related_name="+", verbose_name=_("社区"))
    kind = models.CharField(_("类型"), max_length=16, choices=OfferKind.choices)
    title = models.CharField(_("名称"), max_length=60)
    description = models.CharField(_("说明"), max_length=200, blank=True)
    for_volunteers = models.BooleanField(_("志愿者可用积分兑换"), default=True)
    points_cost = models.PositiveIntegerField(_("所需积分"), default=0)
    care_tags = models.ManyToManyField("registry.CareTag", blank=True, related_name="+", verbose_name=_("困难群众（按关怀标签）"))
    per_person_month = models.PositiveSmallIntegerField(_("每人每月限用次数"), default=1)
    quantity = models.PositiveIntegerField(_("总数量"), null=True, blank=True, help_text=_("留空表示不限"))
    used = models.PositiveIntegerField(_("已使用"), default=0)
    active = models.BooleanField(_("上架"), default=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("爱心优惠")
        verbose_name_plural = _("爱心优惠")
        ordering = ["merchant_id", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(quantity__isnull=True) | Q(used__lte=F("quantity")), name="volunteers_offer_not_overused")
        ]

    def __str__(self):
        return self.title


class RedemptionStatus(models.TextChoices):
    ISSUED = "issued", _("待核销")
    REDEEMED = "redeemed", _("已核销")
    EXPIRED = "expired", _("已失效")


class Redemption(models.Model):
    """A one-time code shown on the holder's phone, and once the merchant confirms it, the redemption."""

    offer = models.ForeignKey(Offer, on_delete=models.PROTECT, related_name="redemptions", verbose_name=_("优惠"))
    holder = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("使用人"))
    volunteer = models.ForeignKey(Volunteer, null=True, blank=True, on_delete=models.PROTECT, related_name="redemptions")
    code = models.CharField(_("核销码"), max_length=8, unique=True)
    status = models.CharField(_("状态"), max_length=16, choices=RedemptionStatus.choices, default=RedemptionStatus.ISSUED)
    points = models.PositiveIntegerField(_("积分"), default=0)
    issued_at = models.DateTimeField(_("生成时间"), auto_now_add=True)
    expires_at = models.DateTimeField(_("有效期至"))
    redeemed_at = models.DateTimeField(_("核销时间"), null=True, blank=True, db_index=True)
    confirmed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = _("核销记录")
        verbose_name_plural = _("核销记录")
        ordering = ["-issued_at", "-id"]

    def __str__(self):
        return f"{self.offer_id} {self.get_status_display()}"


class Purchase(models.Model):
    """A partner unit buys from a caring shop (认购): the alliance's other direction."""

    buyer = models.ForeignKey("registry.Organisation", on_delete=models.PROTECT, related_name="+", verbose_name=_("认购单位"))
    merchant = models.ForeignKey("registry.Organisation", on_delete=models.PROTECT, related_name="purchases", verbose_name=_("商户"))
    community = models.ForeignKey("registry.Place", on_delete=models.PROTECT, related_name="+", verbose_name=_("社区"))
    bought_on = models.DateField(_("认购日期"))
    amount = models.DecimalField(_("金额（元）"), max_digits=10, decimal_places=2)
    items = models.CharField(_("认购内容"), max_length=200)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("认购记录")
        verbose_name_plural = _("认购记录")
        ordering = ["-bought_on", "-id"]
        constraints = [models.CheckConstraint(condition=Q(amount__gt=0), name="volunteers_purchase_positive")]

    def __str__(self):
        return f"{self.merchant_id} {self.amount}"


# ---- 值勤: duty at compound gates -----------------------------------------------------------------


class DutyPost(models.Model):
    """A place someone stands duty (值勤岗): a compound's gate, a square, a school crossing."""

    community = models.ForeignKey("registry.Place", on_delete=models.PROTECT, related_name="+", verbose_name=_("社区"))
    compound = models.ForeignKey("registry.Place", on_delete=models.PROTECT, related_name="+", verbose_name=_("小区"))
    name = models.CharField(_("岗位"), max_length=40, help_text=_("如“东门岗”"))
    active = models.BooleanField(_("启用"), default=True)

    class Meta:
        verbose_name = _("值勤岗")
        verbose_name_plural = _("值勤岗")
        constraints = [models.UniqueConstraint(fields=["compound", "name"], name="one_duty_post_name_per_compound")]

    def __str__(self):
        return self.name


class DutyKind(models.TextChoices):
    """Who stands a shift: a registered volunteer (their hours go to the ledger), the property
    company's staff, or a partner unit's staff (双报到 in-person service)."""

    VOLUNTEER = "volunteer", _("志愿者")
    PROPERTY = "property", _("物业人员")
    PARTNER = "partner", _("共建单位人员")


class DutyShift(models.Model):
    """One person's shift at a post (值勤排班), checked in and out on their phone."""

    post = models.ForeignKey(DutyPost, on_delete=models.PROTECT, related_name="shifts", verbose_name=_("岗位"))
    person = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="duty_shifts", verbose_name=_("值勤人"))
    kind = models.CharField(_("身份"), max_length=16, choices=DutyKind.choices)
    starts_at = models.DateTimeField(_("开始"))
    ends_at = models.DateTimeField(_("结束"))
    checked_in_at = models.DateTimeField(_("签到"), null=True, blank=True)
    checked_out_at = models.DateTimeField(_("签退"), null=True, blank=True)
    hours = models.DecimalField(_("值勤时长"), max_digits=4, decimal_places=1, null=True, blank=True)
    assigned_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("排班人"))
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("值勤排班")
        verbose_name_plural = _("值勤排班")
        ordering = ["starts_at", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(ends_at__gt=F("starts_at")), name="duty_shift_ends_after_it_starts"),
            models.UniqueConstraint(fields=["post", "person", "starts_at"], name="one_duty_shift_per_person_post_start"),
        ]

    def __str__(self):
        return f"{self.post} {timezone.localtime(self.starts_at):%m-%d %H:%M}"
