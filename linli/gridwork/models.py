"""Grid work (网格工作): a grid worker's day — patrols with time in the compounds, home visits by
care frequency, 民情 records, survey and publicity rounds — and who is linked to whom (红色小管家
联户, the 五位一体 roster of supporting forces).

"每日巡、经常访、随手记、实时报": patrols are counted in seconds per compound and day
(``PatrolTime``, written when a patrol ends, split at midnight), so the compliance page reads
a summary, never the patrols themselves.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from linli.core.workdays import is_workday, overrides_between


def split_by_day(start: datetime, end: datetime) -> list[tuple[date, int]]:
    """Seconds of [start, end) on each local day: a patrol across midnight counts on both days."""
    if end <= start:
        return []
    tz = ZoneInfo(settings.TIME_ZONE)
    cursor, stop = start.astimezone(tz), end.astimezone(tz)
    out = []
    while cursor < stop:
        next_midnight = datetime.combine(cursor.date() + timedelta(days=1), datetime.min.time(), tzinfo=tz)
        upto = min(stop, next_midnight)
        out.append((cursor.date(), int((upto - cursor).total_seconds())))
        cursor = upto
    return out


class GridworkRule(models.Model):
    """A community's rules for grid work; a community that has set none works to the field
    defaults (``for_community`` answers an unsaved rule). The daily patrol rule is asked of the
    rule itself (``met``, ``applies_on``, ``days_between``) by the grid-work pages, the worker's
    day page and the dashboard alike, on one worker's seconds for one day however many grids the
    worker holds (``selectors.worker_day_seconds``)."""

    community = models.OneToOneField("registry.Place", on_delete=models.CASCADE, related_name="gridwork_rule", verbose_name=_("社区"))
    # Guichi: "网格员每日下小区不得少于1小时".
    min_minutes_per_day = models.PositiveSmallIntegerField(_("每日在小区不少于（分钟）"), default=60)
    working_days_only = models.BooleanField(_("仅工作日"), default=True)
    # A patrol left open ends itself after this; it earns time only if the community says so.
    auto_close_minutes = models.PositiveSmallIntegerField(_("巡查未结束自动截止（分钟）"), default=240)
    count_auto_closed = models.BooleanField(_("自动截止的巡查计入时长"), default=False)

    class Meta:
        verbose_name = _("网格工作规则")
        verbose_name_plural = _("网格工作规则")

    def __str__(self):
        return str(self.community)

    @classmethod
    def for_community(cls, community_id: int) -> GridworkRule:
        return cls.objects.filter(community_id=community_id).first() or cls(community_id=community_id)

    @property
    def need_seconds(self) -> int:
        return self.min_minutes_per_day * 60

    def met(self, seconds: int) -> bool:
        """59 minutes 59 seconds is short, 60 minutes is not."""
        return seconds >= self.need_seconds

    def applies_on(self, day: date, overrides=None) -> bool:
        return not self.working_days_only or is_workday(day, overrides)

    def days_between(self, start: date, end: date) -> list[date]:
        """The days in [start, end] the daily rule applies to (working days by the calendar)."""
        if end < start:
            return []
        overrides = overrides_between(start, end)
        span = (start + timedelta(days=i) for i in range((end - start).days + 1))
        return [d for d in span if self.applies_on(d, overrides)]


# The field defaults, for writing a rule row where none was saved.
DEFAULTS = {
    f: GridworkRule._meta.get_field(f).default
    for f in ("min_minutes_per_day", "working_days_only", "auto_close_minutes", "count_auto_closed")
}
# 走访频次 when a community has set none (care tag code → days between visits).
DEFAULT_VISIT_DAYS = {"elderly_alone": 7, "empty_nest": 14, "low_income": 30, "disabled": 30}


class VisitFrequency(models.Model):
    """How often households with a care tag are visited (独居老人 every 7 days, …)."""

    community = models.ForeignKey("registry.Place", on_delete=models.CASCADE, related_name="+", verbose_name=_("社区"))
    care_tag = models.ForeignKey("registry.CareTag", on_delete=models.CASCADE, related_name="+", verbose_name=_("关怀标签"))
    every_days = models.PositiveSmallIntegerField(_("走访间隔（天）"))

    class Meta:
        verbose_name = _("走访频次")
        verbose_name_plural = _("走访频次")
        constraints = [models.UniqueConstraint(fields=["community", "care_tag"], name="one_frequency_per_tag")]

    def __str__(self):
        return f"{self.care_tag}: {self.every_days}"


class Patrol(models.Model):
    """A grid worker's time in one compound."""

    worker = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="patrols", verbose_name=_("网格员"))
    grid = models.ForeignKey("registry.Grid", on_delete=models.PROTECT, related_name="patrols", verbose_name=_("网格"))
    compound = models.ForeignKey("registry.Place", on_delete=models.PROTECT, related_name="patrols", verbose_name=_("小区"))
    started_at = models.DateTimeField(_("开始"), db_index=True)
    ended_at = models.DateTimeField(_("结束"), null=True, blank=True)
    auto_closed = models.BooleanField(_("自动截止"), default=False)
    by_qr = models.BooleanField(_("扫码开始"), default=False)
    start_latitude = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)
    start_longitude = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)
    end_latitude = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)
    end_longitude = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)
    note = models.CharField(_("巡查记录"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("巡查")
        verbose_name_plural = _("巡查")
        ordering = ["-started_at"]
        constraints = [
            # One open patrol per worker: starting another ends the first.
            models.UniqueConstraint(fields=["worker"], condition=models.Q(ended_at__isnull=True), name="one_open_patrol_per_worker")
        ]
        indexes = [models.Index(fields=["ended_at", "started_at"])]

    def __str__(self):
        return f"{self.worker} {self.compound} {self.started_at:%Y-%m-%d %H:%M}"


class PatrolTime(models.Model):
    """Seconds a worker spent in one compound on one day (Asia/Shanghai), written when a patrol
    ends; the compliance page sums these."""

    worker = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    grid = models.ForeignKey("registry.Grid", on_delete=models.CASCADE, related_name="+")
    compound = models.ForeignKey("registry.Place", on_delete=models.CASCADE, related_name="+")
    day = models.DateField(db_index=True)
    seconds = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["worker", "compound", "day"], name="one_patrol_time_per_worker_compound_day")]
        indexes = [models.Index(fields=["grid", "day"])]

    def __str__(self):
        return f"{self.worker_id} {self.day} {self.seconds}s"


class Visit(models.Model):
    """入户走访: a household visited, who was met, what was said, needs and follow-ups."""

    class Kind(models.TextChoices):
        HOME = "home", _("入户走访")
        PHONE = "phone", _("电话问候")
        STEWARD = "steward", _("小管家联户")

    household = models.ForeignKey("registry.Household", on_delete=models.PROTECT, related_name="visits", verbose_name=_("家庭户"))
    worker = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="visits", verbose_name=_("走访人"))
    grid = models.ForeignKey(
        "registry.Grid", null=True, blank=True, on_delete=models.SET_NULL, related_name="visits", verbose_name=_("网格")
    )
    kind = models.CharField(_("方式"), max_length=16, choices=Kind.choices, default=Kind.HOME)
    visited_at = models.DateTimeField(_("走访时间"), db_index=True)
    people_met = models.ManyToManyField("registry.Resident", blank=True, related_name="+", verbose_name=_("见到的人"))
    content = models.TextField(_("走访情况"), blank=True)
    needs = models.TextField(_("发现的需求"), blank=True)
    follow_up = models.TextField(_("跟进事项"), blank=True)
    follow_up_done = models.BooleanField(_("已跟进"), default=False)
    patrol = models.ForeignKey(Patrol, null=True, blank=True, on_delete=models.SET_NULL, related_name="visits", verbose_name=_("巡查"))
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("走访")
        verbose_name_plural = _("走访")
        ordering = ["-visited_at"]
        indexes = [models.Index(fields=["household", "visited_at"])]

    def __str__(self):
        return f"{self.household} {self.visited_at:%Y-%m-%d}"


class Mood(models.TextChoices):
    GOOD = "good", _("满意")
    NEUTRAL = "neutral", _("一般")
    UNHAPPY = "unhappy", _("不满")
    URGENT = "urgent", _("情绪激动")


# 民情 topics a record can carry (the community's own words go in the note).
SENTIMENT_TOPICS = {
    "environment": _("环境卫生"),
    "safety": _("治安安全"),
    "property": _("物业服务"),
    "parking": _("停车出行"),
    "elderly": _("养老服务"),
    "dispute": _("邻里关系"),
    "policy": _("政策诉求"),
    "fraud": _("防诈骗"),
    "other": _("其他"),
}


class SentimentRecord(models.Model):
    """民情记录: what a household or a compound thinks and feels, noted on the spot."""

    grid = models.ForeignKey("registry.Grid", on_delete=models.PROTECT, related_name="sentiments", verbose_name=_("网格"))
    household = models.ForeignKey(
        "registry.Household", null=True, blank=True, on_delete=models.SET_NULL, related_name="sentiments", verbose_name=_("家庭户")
    )
    place = models.ForeignKey("registry.Place", null=True, blank=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("地点"))
    worker = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("记录人"))
    topics = models.JSONField(_("话题"), default=list)
    mood = models.CharField(_("情绪"), max_length=16, choices=Mood.choices, default=Mood.NEUTRAL)
    note = models.TextField(_("记录"))
    follow_up_needed = models.BooleanField(_("需跟进"), default=False)
    follow_up_done = models.BooleanField(_("已跟进"), default=False)
    patrol = models.ForeignKey(Patrol, null=True, blank=True, on_delete=models.SET_NULL, related_name="sentiments")
    visit = models.ForeignKey(Visit, null=True, blank=True, on_delete=models.SET_NULL, related_name="sentiments")
    created_at = models.DateTimeField(_("时间"), auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("民情记录")
        verbose_name_plural = _("民情记录")
        ordering = ["-created_at"]

    def __str__(self):
        return self.note[:30]

    @property
    def topic_labels(self):
        return [SENTIMENT_TOPICS.get(t, t) for t in self.topics]


class Finding(models.Model):
    """What a patrol or visit turned into, in one tap: an appeal (随手记), a council topic
    (网格发现), a micro-wish on someone's behalf, or a 民情 record."""

    class Kind(models.TextChoices):
        APPEAL = "appeal", _("诉求")
        TOPIC = "topic", _("议题")
        WISH = "wish", _("微心愿")
        SENTIMENT = "sentiment", _("民情")
        ORDER = "order", _("服务单")

    kind = models.CharField(_("类型"), max_length=16, choices=Kind.choices)
    worker = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    patrol = models.ForeignKey(Patrol, null=True, blank=True, on_delete=models.SET_NULL, related_name="findings")
    visit = models.ForeignKey(Visit, null=True, blank=True, on_delete=models.SET_NULL, related_name="findings")
    appeal = models.ForeignKey("appeals.Appeal", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    topic = models.ForeignKey("councils.Topic", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    wish = models.ForeignKey("wishes.Wish", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    sentiment = models.ForeignKey(SentimentRecord, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    order = models.ForeignKey("services.Order", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("发现")
        verbose_name_plural = _("发现")
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.kind} {self.created_at:%Y-%m-%d}"


class Round(models.Model):
    """A survey round (满意度问卷) or a publicity round (反诈宣传) for some grids: each household
    reached is recorded, with its answers."""

    class Kind(models.TextChoices):
        SURVEY = "survey", _("问卷调查")
        PUBLICITY = "publicity", _("宣传入户")

    community = models.ForeignKey("registry.Place", on_delete=models.CASCADE, related_name="+", verbose_name=_("社区"))
    kind = models.CharField(_("类型"), max_length=16, choices=Kind.choices)
    title = models.CharField(_("名称"), max_length=100)
    theme = models.CharField(_("主题"), max_length=100, blank=True)
    # [{"text": "...", "options": ["满意", "基本满意", "不满意"]}, ...]
    questions = models.JSONField(_("问题"), default=list, blank=True)
    grids = models.ManyToManyField("registry.Grid", related_name="rounds", verbose_name=_("网格"))
    starts_on = models.DateField(_("开始"))
    ends_on = models.DateField(_("结束"))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = _("走访轮次")
        verbose_name_plural = _("走访轮次")
        ordering = ["-starts_on"]

    def __str__(self):
        return self.title


class RoundContact(models.Model):
    round = models.ForeignKey(Round, on_delete=models.CASCADE, related_name="contacts")
    household = models.ForeignKey("registry.Household", on_delete=models.CASCADE, related_name="+")
    grid = models.ForeignKey("registry.Grid", null=True, on_delete=models.SET_NULL, related_name="+")
    worker = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    reached_at = models.DateTimeField(auto_now_add=True)
    answers = models.JSONField(default=dict, blank=True)  # {"0": 1, ...}: question index → option index
    note = models.CharField(max_length=200, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["round", "household"], name="one_contact_per_round_household")]

    def __str__(self):
        return f"{self.round_id}:{self.household_id}"


class StewardLink(models.Model):
    """小管家联户: a red steward looks after these households (one steward per household)."""

    steward = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="steward_links", verbose_name=_("红色小管家")
    )
    household = models.OneToOneField("registry.Household", on_delete=models.CASCADE, related_name="steward_link", verbose_name=_("家庭户"))
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("小管家联户")
        verbose_name_plural = _("小管家联户")

    def __str__(self):
        return f"{self.steward} → {self.household}"


class SupportingForce(models.Model):
    """The 五位一体 roster of a grid: who else works here (police, property, volunteers, …)."""

    class Kind(models.TextChoices):
        POLICE = "police", _("社区民警")
        PROPERTY = "property", _("物业")
        PARTY_MEMBER = "party_member", _("党员")
        VOLUNTEER = "volunteer", _("志愿者")
        STEWARD = "steward", _("红色小管家")
        MEDIATOR = "mediator", _("调解员")
        DOCTOR = "doctor", _("家庭医生")
        LAWYER = "lawyer", _("法律顾问")
        OTHER = "other", _("其他")

    grid = models.ForeignKey("registry.Grid", on_delete=models.CASCADE, related_name="supporting_forces", verbose_name=_("网格"))
    kind = models.CharField(_("力量"), max_length=16, choices=Kind.choices)
    name = models.CharField(_("姓名"), max_length=50)
    organisation = models.CharField(_("所在单位"), max_length=100, blank=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        verbose_name = _("网格力量")
        verbose_name_plural = _("网格力量")
        ordering = ["kind", "name"]

    def __str__(self):
        return f"{self.get_kind_display()} {self.name}"


class VisitOverdueAlert(models.Model):
    """A care household's visit fell overdue and the grid leader was told: once per household
    and due date, so the scan tells each lapse once however often it runs."""

    household = models.ForeignKey("registry.Household", on_delete=models.CASCADE, related_name="+", verbose_name=_("家庭户"))
    due_on = models.DateField(_("应走访日期"))
    grid = models.ForeignKey("registry.Grid", null=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("网格"))
    created_at = models.DateTimeField(_("提醒时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("走访超期提醒")
        verbose_name_plural = _("走访超期提醒")
        constraints = [models.UniqueConstraint(fields=["household", "due_on"], name="one_overdue_alert_per_household_due_date")]

    def __str__(self):
        return f"{self.household_id} {self.due_on}"
