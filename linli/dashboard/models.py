"""What the dashboard counts from: one fact row per appeal, kept by the appeals services in the
same transaction as each change, so a figure never scans the appeals table or replays its
timeline. What each figure means is in ``definitions.py`` (口径)."""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from linli.core.files import RandomUploadPath

# Statuses in which an appeal no longer waits for anyone (the rest are "open").
NOT_OPEN = ("resolved", "closed", "rejected", "merged")


class AppealFact(models.Model):
    """The dashboard's view of one appeal (诉求统计事实). Moments that decide a rate are kept as
    they were when they happened: the first signature against the sign deadline then in force,
    the latest resolution against the completion deadline then in force."""

    appeal = models.OneToOneField("appeals.Appeal", primary_key=True, on_delete=models.CASCADE, related_name="fact")
    community = models.ForeignKey("registry.Place", on_delete=models.CASCADE, related_name="+")
    grid = models.ForeignKey("registry.Grid", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    # Materialised paths of the compound and building (小区、楼栋) where it was reported, for
    # the heat view; empty when the appeal is about the community as a whole.
    compound_path = models.CharField(max_length=255, blank=True, db_index=True)
    building_path = models.CharField(max_length=255, blank=True)
    category = models.ForeignKey("appeals.Category", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    channel = models.CharField(max_length=16)
    level = models.CharField(max_length=16)  # the level it stands (or was closed) at
    status = models.CharField(max_length=16)
    lead_organisation = models.ForeignKey("registry.Organisation", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    lead_user = models.ForeignKey("accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField()
    created_on = models.DateField()  # local (Asia/Shanghai) date of the report
    dispatched = models.BooleanField(default=False)
    sign_deadline = models.DateTimeField(null=True, blank=True)
    signed_at = models.DateTimeField(null=True, blank=True)
    signed_in_time = models.BooleanField(null=True)
    sign_workdays = models.PositiveSmallIntegerField(null=True)
    complete_deadline = models.DateTimeField(null=True, blank=True)
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolved_in_time = models.BooleanField(null=True)
    resolve_workdays = models.PositiveSmallIntegerField(null=True)
    reopened = models.BooleanField(default=False)
    merged = models.BooleanField(default=False)  # merged into another appeal: not counted on its own
    rating = models.PositiveSmallIntegerField(null=True)
    revisited = models.BooleanField(default=False)  # 回访
    supervised = models.BooleanField(default=False)  # 督办
    returns = models.PositiveSmallIntegerField(default=0)  # 退单
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("诉求统计")
        verbose_name_plural = _("诉求统计")
        indexes = [
            models.Index(fields=["community", "created_on"]),
            models.Index(fields=["grid", "created_on"]),
            models.Index(fields=["lead_organisation", "created_on"]),
            # The small sets whose figures change with the clock alone (a deadline passing):
            # counted live, so they get their own partial indexes.
            # Covering (PostgreSQL INCLUDE): the live counts read the index alone.
            models.Index(
                fields=["community", "created_on"],
                condition=~Q(status__in=NOT_OPEN),
                include=["status", "merged", "complete_deadline", "grid", "category", "lead_organisation", "compound_path"],
                name="appeal_fact_open",
            ),
            models.Index(
                fields=["community", "created_on"],
                condition=Q(merged=False) & ~Q(status="rejected") & Q(dispatched=True, signed_at__isnull=True),
                include=["status", "merged", "sign_deadline", "grid", "category", "lead_organisation", "compound_path"],
                name="appeal_fact_unsigned",
            ),
        ]

    def __str__(self):
        return f"fact {self.appeal_id}"


class AppealDay(models.Model):
    """The facts of one community's appeals reported on one day, summed (诉求日汇总), so the
    street and district views read a row per community and day instead of every fact. Kept by
    ``services.appeal_fact_record`` (recounted from that day's facts under a row lock). What
    depends on the moment of viewing (a deadline passing without a change) is not here: the
    selectors count it live from the small sets of open and unsigned facts."""

    community = models.ForeignKey("registry.Place", on_delete=models.CASCADE, related_name="+")
    day = models.DateField()
    total = models.PositiveIntegerField(default=0)
    rejected = models.PositiveIntegerField(default=0)
    merged = models.PositiveIntegerField(default=0)
    valid = models.PositiveIntegerField(default=0)
    signed = models.PositiveIntegerField(default=0)
    signed_in_time = models.PositiveIntegerField(default=0)
    resolved = models.PositiveIntegerField(default=0)
    resolved_in_time = models.PositiveIntegerField(default=0)
    solved = models.PositiveIntegerField(default=0)
    done = models.PositiveIntegerField(default=0)
    rated = models.PositiveIntegerField(default=0)
    satisfied = models.PositiveIntegerField(default=0)
    unrated = models.PositiveIntegerField(default=0)
    revisited = models.PositiveIntegerField(default=0)
    supervised = models.PositiveIntegerField(default=0)
    level_building = models.PositiveIntegerField(default=0)
    level_grid = models.PositiveIntegerField(default=0)
    level_community = models.PositiveIntegerField(default=0)
    level_external = models.PositiveIntegerField(default=0)
    sign_days_sum = models.PositiveIntegerField(default=0)
    sign_days_n = models.PositiveIntegerField(default=0)
    resolve_days_sum = models.PositiveIntegerField(default=0)
    resolve_days_n = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("诉求日汇总")
        verbose_name_plural = _("诉求日汇总")
        constraints = [models.UniqueConstraint(fields=["community", "day"], name="one_appeal_day_per_community")]
        indexes = [models.Index(fields=["day", "community"])]

    def __str__(self):
        return f"{self.community_id} {self.day}"


class PropertyScore(models.Model):
    """The community's own monthly score of a property company (双评: residents' ratings of the
    appeals it handled, and this score by the community)."""

    community = models.ForeignKey("registry.Place", on_delete=models.CASCADE, related_name="+", verbose_name=_("社区"))
    organisation = models.ForeignKey("registry.Organisation", on_delete=models.CASCADE, related_name="+", verbose_name=_("物业公司"))
    month = models.DateField(_("月份"))  # the first day of the month
    score = models.PositiveSmallIntegerField(_("社区评分"))
    note = models.CharField(_("说明"), max_length=500, blank=True)
    scored_by = models.ForeignKey("accounts.User", on_delete=models.PROTECT, related_name="+")
    scored_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("物业评分")
        verbose_name_plural = _("物业评分")
        constraints = [models.UniqueConstraint(fields=["community", "organisation", "month"], name="one_property_score_a_month")]

    def __str__(self):
        return f"{self.organisation_id} {self.month:%Y-%m} {self.score}"


class MonthlyReport(models.Model):
    """A month's report (月报) for a community or a street: an Excel workbook built in the
    background and kept for download."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("排队中")
        RUNNING = "running", _("生成中")
        DONE = "done", _("已生成")
        FAILED = "failed", _("生成失败")

    place = models.ForeignKey("registry.Place", on_delete=models.CASCADE, related_name="+", verbose_name=_("范围"))
    month = models.DateField(_("月份"))  # the first day of the month
    status = models.CharField(_("状态"), max_length=16, choices=Status.choices, default=Status.QUEUED)
    file = models.FileField(upload_to=RandomUploadPath("reports"), blank=True)
    requested_by = models.ForeignKey("accounts.User", on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    seconds = models.FloatField(null=True, blank=True)

    class Meta:
        verbose_name = _("月报")
        verbose_name_plural = _("月报")
        # One report in the making per place and month: a double click queues one.
        constraints = [
            models.UniqueConstraint(
                fields=["place", "month"], condition=Q(status__in=["queued", "running"]), name="one_report_in_the_making"
            )
        ]

    def __str__(self):
        return f"{self.place_id} {self.month:%Y-%m}"


class PopulationCount(models.Model):
    """A community's people counted (人口统计), without a name: registration, age bands, care
    tags. Recounted by ``services.population_count`` (nightly, ``manage.py count_population``),
    so the street and district views never scan the residents."""

    community = models.OneToOneField("registry.Place", primary_key=True, on_delete=models.CASCADE, related_name="+")
    counted_at = models.DateTimeField()
    households = models.PositiveIntegerField(default=0)
    residents = models.PositiveIntegerField(default=0)
    huji = models.PositiveIntegerField(default=0)  # 户籍人口
    changzhu = models.PositiveIntegerField(default=0)  # 常住人口
    liudong = models.PositiveIntegerField(default=0)  # 流动人口
    age_0_17 = models.PositiveIntegerField(default=0)
    age_18_34 = models.PositiveIntegerField(default=0)
    age_35_59 = models.PositiveIntegerField(default=0)
    age_60_79 = models.PositiveIntegerField(default=0)
    age_80_up = models.PositiveIntegerField(default=0)
    age_unknown = models.PositiveIntegerField(default=0)
    care = models.JSONField(default=dict)  # care tag code → residents

    class Meta:
        verbose_name = _("人口统计")
        verbose_name_plural = _("人口统计")

    def __str__(self):
        return f"{self.community_id} {self.residents}"
