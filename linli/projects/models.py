"""Projects (项目): a renovation list decided at a round table (Guichi's 红光新村: 60 stairwells,
60 e-bike spaces, 1 council point …), a public-benefit project crowdfunded with partner units,
"一巷一方案". Items with quantity and unit, money from named sources (pledges and the receipts
that honour them), progress with before/after photos, and acceptance (验收) by named departments
and residents' representatives. Money is Decimal throughout; totals are summed in the database.
"""

from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from linli.core.files import RandomUploadPath

ZERO = Decimal("0")


class ProjectStatus(models.TextChoices):
    PLANNING = "planning", _("筹备中")
    UNDERWAY = "underway", _("实施中")
    COMPLETED = "completed", _("完工待验收")
    ACCEPTED = "accepted", _("验收通过")


class ProjectOrigin(models.TextChoices):
    RESOLUTION = "resolution", _("议事决议")
    APPEALS = "appeals", _("群众诉求")
    STAFF = "staff", _("社区立项")


class Project(models.Model):
    community = models.ForeignKey("registry.Place", on_delete=models.PROTECT, related_name="+", verbose_name=_("社区"))
    title = models.CharField(_("项目名称"), max_length=100)
    description = models.TextField(_("项目说明"), max_length=2000, blank=True)
    origin = models.CharField(_("来源"), max_length=12, choices=ProjectOrigin.choices, default=ProjectOrigin.STAFF)
    resolution = models.ForeignKey(
        "councils.Resolution", null=True, blank=True, on_delete=models.PROTECT, related_name="projects", verbose_name=_("议事决议")
    )
    appeals = models.ManyToManyField("appeals.Appeal", blank=True, related_name="projects", verbose_name=_("相关诉求"))
    places = models.ManyToManyField("registry.Place", related_name="projects", verbose_name=_("实施地点"))
    status = models.CharField(_("状态"), max_length=12, choices=ProjectStatus.choices, default=ProjectStatus.PLANNING, db_index=True)
    due_on = models.DateField(_("计划完工"), null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    completed_at = models.DateTimeField(_("完工时间"), null=True, blank=True)
    accepted_at = models.DateTimeField(_("验收通过时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("项目")
        verbose_name_plural = _("项目")
        ordering = ["-created_at", "-id"]
        # A resolution is carried out by one project (立项 once); a second would split its appeals.
        constraints = [
            models.UniqueConstraint(fields=["resolution"], condition=models.Q(resolution__isnull=False), name="one_project_per_resolution")
        ]

    def __str__(self):
        return self.title


class ItemStatus(models.TextChoices):
    OPEN = "open", _("实施中")
    DONE = "done", _("已完成")
    REOPENED = "reopened", _("验收退回整改")


class Item(models.Model):
    """One line of the list: 60 个楼道, 1,000 ㎡ 铺装, 5 个雕塑."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="items")
    name = models.CharField(_("内容"), max_length=100)
    quantity = models.DecimalField(_("数量"), max_digits=10, decimal_places=2, validators=[MinValueValidator(Decimal("0.01"))])
    unit = models.CharField(_("单位"), max_length=12)
    done = models.DecimalField(_("已完成"), max_digits=10, decimal_places=2, default=ZERO)
    budget = models.DecimalField(_("预算（元）"), max_digits=12, decimal_places=2, default=ZERO)
    status = models.CharField(_("状态"), max_length=12, choices=ItemStatus.choices, default=ItemStatus.OPEN)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "id"]
        constraints = [
            models.CheckConstraint(name="item_done_within_quantity", condition=Q(done__gte=0) & Q(done__lte=F("quantity"))),
            models.CheckConstraint(name="item_budget_not_negative", condition=Q(budget__gte=0)),
        ]

    def __str__(self):
        return f"{self.name} {self.quantity.normalize():f}{self.unit}"

    @property
    def percent(self) -> int:
        return int(100 * self.done / self.quantity) if self.quantity else 0


class Progress(models.Model):
    item = models.ForeignKey(Item, on_delete=models.CASCADE, related_name="progress")
    quantity = models.DecimalField(_("本次完成"), max_digits=10, decimal_places=2)
    note = models.CharField(_("说明"), max_length=300)
    before_photo = models.ImageField(_("施工前"), upload_to=RandomUploadPath("projects"), blank=True)
    after_photo = models.ImageField(_("施工后"), upload_to=RandomUploadPath("projects"), blank=True)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["at", "id"]

    def __str__(self):
        return f"{self.item_id}+{self.quantity}"


class FundingSource(models.TextChoices):
    GOVERNMENT = "government", _("政府资金")
    MAINTENANCE = "maintenance", _("维修资金")
    CROWDFUNDING = "crowdfunding", _("共建单位众筹")
    RESIDENTS = "residents", _("居民自筹")
    OTHER = "other", _("其他")


class Funding(models.Model):
    """A source of money: pledged (认捐/批复) and received by receipts (到账)."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="fundings")
    source = models.CharField(_("资金来源"), max_length=16, choices=FundingSource.choices)
    funder = models.CharField(_("出资方"), max_length=100)
    organisation = models.ForeignKey("registry.Organisation", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    pledged = models.DecimalField(
        _("认捐/批复金额（元）"), max_digits=12, decimal_places=2, validators=[MinValueValidator(Decimal("0.01"))]
    )
    received = models.DecimalField(_("已到账（元）"), max_digits=12, decimal_places=2, default=ZERO)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(name="funding_received_within_pledge", condition=Q(received__gte=0) & Q(received__lte=F("pledged")))
        ]

    def __str__(self):
        return self.funder


class FundReceipt(models.Model):
    funding = models.ForeignKey(Funding, on_delete=models.CASCADE, related_name="receipts")
    amount = models.DecimalField(_("金额（元）"), max_digits=12, decimal_places=2)
    received_on = models.DateField(_("到账日期"))
    number = models.CharField(_("票据号"), max_length=40)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["received_on", "id"]
        constraints = [models.UniqueConstraint(fields=["funding", "number"], name="fund_receipt_number_once")]

    def __str__(self):
        return self.number


class SignerKind(models.TextChoices):
    DEPARTMENT = "department", _("相关部门")
    RESIDENTS = "residents", _("居民代表")


class Decision(models.TextChoices):
    PENDING = "pending", _("待验收")
    SIGNED = "signed", _("同意验收")
    REFUSED = "refused", _("不同意")


class Signoff(models.Model):
    """One party to the acceptance (验收): a named department or a residents' representative,
    with their own account (or recorded by staff from the signed paper)."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="signoffs")
    kind = models.CharField(_("验收方"), max_length=12, choices=SignerKind.choices)
    name = models.CharField(_("名称"), max_length=100)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    decision = models.CharField(_("意见"), max_length=10, choices=Decision.choices, default=Decision.PENDING)
    reasons = models.CharField(_("理由"), max_length=500, blank=True)
    refused_items = models.ManyToManyField(Item, blank=True, related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["kind", "id"]

    def __str__(self):
        return self.name
