"""People's mediation (人民调解): neighbour disputes mediated the 六尺巷 way — each side gives
way three feet. Cases are confidential: only their mediators, the community's party secretary
and the community staff on its mediators' roster see them (``access.py``); nothing here is
registered in the Django admin, shown on a public board or written to an export, and the street
sees counts only.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from linli.core.files import RandomUploadPath


class MediatorKind(models.TextChoices):
    MEDIATOR = "mediator", _("人民调解员")
    GRID_WORKER = "grid_worker", _("网格员")
    ELDER = "elder", _("五老（老干部、老党员、老教师、老模范、老军人）")
    LAWYER = "lawyer", _("法律顾问")
    OTHER = "other", _("其他")


class Mediator(models.Model):
    """The community's roster of mediators (调解员名册). Community staff on it hold the
    mediation capability for the whole community; others see the cases they are assigned to."""

    community = models.ForeignKey("registry.Place", on_delete=models.PROTECT, related_name="+", verbose_name=_("社区"))
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="mediator_roles", verbose_name=_("账号"))
    name = models.CharField(_("姓名"), max_length=50)
    kind = models.CharField(_("身份"), max_length=16, choices=MediatorKind.choices)
    active = models.BooleanField(_("在册"), default=True)

    class Meta:
        verbose_name = _("调解员")
        verbose_name_plural = _("调解员")
        constraints = [models.UniqueConstraint(fields=["community", "user"], name="mediator_once_per_community")]

    def __str__(self):
        return self.name


class CaseKind(models.TextChoices):
    NEIGHBOUR = "neighbour", _("邻里纠纷")
    BOUNDARY = "boundary", _("相邻关系（通行、采光、宅基地）")
    NOISE = "noise", _("噪音油烟")
    LEAK = "leak", _("漏水渗水")
    FAMILY = "family", _("婚姻家庭")
    PROPERTY = "property", _("物业纠纷")
    DEBT = "debt", _("债务纠纷")
    OTHER = "other", _("其他")


class CaseSource(models.TextChoices):
    APPEAL = "appeal", _("诉求转入")
    WALK_IN = "walk_in", _("来访申请")
    FOUND = "found", _("走访发现")


class CaseStatus(models.TextChoices):
    OPEN = "open", _("已受理")
    MEDIATING = "mediating", _("调解中")
    AGREED = "agreed", _("达成协议")
    FAILED = "failed", _("调解不成")
    WITHDRAWN = "withdrawn", _("撤回")

    @classmethod
    def closed(cls):
        return {cls.AGREED, cls.FAILED, cls.WITHDRAWN}


class Case(models.Model):
    community = models.ForeignKey("registry.Place", on_delete=models.PROTECT, related_name="+", verbose_name=_("社区"))
    kind = models.CharField(_("纠纷类型"), max_length=16, choices=CaseKind.choices)
    source = models.CharField(_("来源"), max_length=16, choices=CaseSource.choices)
    appeal = models.OneToOneField(
        "appeals.Appeal", null=True, blank=True, on_delete=models.SET_NULL, related_name="mediation_case", verbose_name=_("来源诉求")
    )
    place = models.ForeignKey(
        "registry.Place", null=True, blank=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("纠纷地点")
    )
    summary = models.TextField(_("纠纷简况"), max_length=2000)
    status = models.CharField(_("状态"), max_length=12, choices=CaseStatus.choices, default=CaseStatus.OPEN, db_index=True)
    opened_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    opened_at = models.DateTimeField(_("受理时间"), auto_now_add=True)
    closed_at = models.DateTimeField(_("结案时间"), null=True, blank=True)
    outcome = models.CharField(_("结果说明"), max_length=300, blank=True)
    agreement_text = models.TextField(_("调解协议"), max_length=4000, blank=True)
    agreement_scan = models.FileField(_("签字协议扫描件"), upload_to=RandomUploadPath("mediation"), blank=True)
    agreement_signed_on = models.DateField(_("协议签订日期"), null=True, blank=True)
    # The latest follow-up's answer: does the agreement hold (履行情况)? None until visited.
    holds = models.BooleanField(_("协议履行"), null=True, blank=True)

    class Meta:
        verbose_name = _("调解案件")
        verbose_name_plural = _("调解案件")
        ordering = ["-opened_at", "-id"]

    def __str__(self):
        return self.number

    @property
    def number(self) -> str:
        return f"TJ{self.opened_at:%Y%m%d}-{self.pk}" if self.opened_at else f"TJ-{self.pk}"

    @property
    def audit_label(self) -> str:
        return self.number  # never a party's name

    @property
    def is_closed(self) -> bool:
        return self.status in CaseStatus.closed()


class PartySide(models.TextChoices):
    APPLICANT = "applicant", _("申请人")
    RESPONDENT = "respondent", _("被申请人")
    OTHER = "other", _("其他当事人")


class Party(models.Model):
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="parties")
    side = models.CharField(_("身份"), max_length=12, choices=PartySide.choices)
    name = models.CharField(_("姓名"), max_length=50)
    resident = models.ForeignKey("registry.Resident", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    note = models.CharField(_("诉求要点"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("当事人")
        verbose_name_plural = _("当事人")
        ordering = ["side", "id"]

    def __str__(self):
        return self.name


class CaseMediator(models.Model):
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="assignments")
    mediator = models.ForeignKey(Mediator, on_delete=models.PROTECT, related_name="assignments")
    lead = models.BooleanField(_("主调解员"), default=False)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["case", "mediator"], name="case_mediator_once")]

    def __str__(self):
        return f"{self.case_id}:{self.mediator_id}"


class Session(models.Model):
    """One mediation session (调解记录)."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="sessions")
    held_on = models.DateField(_("调解日期"))
    location = models.CharField(_("地点"), max_length=100)
    notes = models.TextField(_("调解经过"), max_length=4000)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["held_on", "id"]

    def __str__(self):
        return f"{self.case_id}@{self.held_on}"


class FollowUp(models.Model):
    """A return visit after the agreement (回访): does it hold?"""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="follow_ups")
    visited_on = models.DateField(_("回访日期"))
    holds = models.BooleanField(_("协议履行"))
    notes = models.CharField(_("回访情况"), max_length=500)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["visited_on", "id"]

    def __str__(self):
        return f"{self.case_id}@{self.visited_on}"
