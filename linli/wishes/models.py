"""Micro-wishes (微心愿): small wishes of residents, claimed and fulfilled by party members,
volunteers, partner units and merchants."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from linli.core.files import RandomUploadPath


class WishCampaign(models.Model):
    """A season such as the yearly 圆梦微心愿 campaign."""

    community = models.ForeignKey("registry.Place", on_delete=models.CASCADE, related_name="+", verbose_name=_("社区"))
    name = models.CharField(_("名称"), max_length=100)
    starts_on = models.DateField(_("开始日期"))
    ends_on = models.DateField(_("结束日期"))

    class Meta:
        verbose_name = _("心愿活动")
        verbose_name_plural = _("心愿活动")
        ordering = ["-starts_on"]

    def __str__(self):
        return self.name


class WishStatus(models.TextChoices):
    PENDING = "pending", _("待审核")
    OPEN = "open", _("待认领")  # on the wall
    CLAIMED = "claimed", _("已认领")
    FULFILLED = "fulfilled", _("已送达")  # the claimer says it is done, with a photo
    CONFIRMED = "confirmed", _("已圆梦")  # the resident (or staff for them) confirms
    REJECTED = "rejected", _("未通过")
    WITHDRAWN = "withdrawn", _("已撤回")


W = WishStatus
TRANSITIONS = {
    "approve": ({W.PENDING}, W.OPEN),
    "reject": ({W.PENDING}, W.REJECTED),
    "claim": ({W.OPEN}, W.CLAIMED),
    "release": ({W.CLAIMED}, W.OPEN),  # the claimer gives up, or the claim timed out
    "fulfil": ({W.CLAIMED}, W.FULFILLED),
    "confirm": ({W.FULFILLED}, W.CONFIRMED),
    "withdraw": ({W.PENDING, W.OPEN}, W.WITHDRAWN),
}


class Wish(models.Model):
    class Kind(models.TextChoices):
        GOODS = "goods", _("物品")
        SERVICE = "service", _("服务")
        COMPANY = "company", _("陪伴")

    community = models.ForeignKey("registry.Place", on_delete=models.PROTECT, related_name="+", verbose_name=_("社区"))
    compound = models.ForeignKey("registry.Place", on_delete=models.PROTECT, related_name="+", verbose_name=_("小区"))
    resident = models.ForeignKey("registry.Resident", on_delete=models.PROTECT, related_name="wishes", verbose_name=_("心愿人"))
    posted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("发布人"))
    campaign = models.ForeignKey(
        WishCampaign, null=True, blank=True, on_delete=models.SET_NULL, related_name="wishes", verbose_name=_("活动")
    )
    kind = models.CharField(_("类型"), max_length=16, choices=Kind.choices)
    title = models.CharField(_("心愿"), max_length=60)
    description = models.TextField(_("说明"), blank=True)
    status = models.CharField(_("状态"), max_length=16, choices=WishStatus.choices, default=WishStatus.PENDING, db_index=True)
    # The wall shows these, never the name or the dwelling.
    public_name = models.CharField(_("公示称呼"), max_length=20, editable=False)
    public_tag = models.CharField(_("公示标签"), max_length=20, blank=True, editable=False)
    claimed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="claimed_wishes", verbose_name=_("认领人")
    )
    claimed_for = models.ForeignKey(
        "registry.Organisation", null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("认领单位")
    )
    claimed_at = models.DateTimeField(_("认领时间"), null=True, blank=True)
    claim_deadline = models.DateTimeField(_("认领期限"), null=True, blank=True, db_index=True)
    proof = models.ImageField(_("圆梦照片"), upload_to=RandomUploadPath("wishes"), blank=True)
    fulfilled_at = models.DateTimeField(_("送达时间"), null=True, blank=True)
    confirmed_at = models.DateTimeField(_("确认时间"), null=True, blank=True)
    created_at = models.DateTimeField(_("发布时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("微心愿")
        verbose_name_plural = _("微心愿")
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return self.title

    def can(self, action: str) -> bool:
        return self.status in TRANSITIONS[action][0]


class WishEvent(models.Model):
    wish = models.ForeignKey(Wish, on_delete=models.CASCADE, related_name="events")
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    action = models.CharField(max_length=16)
    note = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self):
        return f"{self.wish_id} {self.action}"
