"""Residents' councils (居民议事会 / 邻里议事会 / 圆桌会议 / 四方议事): bodies and members,
topics through a configurable procedure, meetings with sign-in, votes with one ballot per
voter enforced by the database, and resolutions followed until done."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from linli.councils.voting import Rule

# 六步议事法: collect → accept onto the agenda → publish for comment → deliberate → decide → implement and publish.
DEFAULT_STEPS = ["collect", "accept", "comment", "deliberate", "decide", "implement"]
STEP_LABELS = {
    "collect": _("收集议题"),
    "accept": _("确定议题"),
    "comment": _("会前公示征求意见"),
    "deliberate": _("协商讨论"),
    "decide": _("表决决定"),
    "implement": _("实施并公示结果"),
}


class CouncilRule(models.Model):
    """How long the steps that need time last at the least, set by a community for all its
    councils (a community that has set none works to the field defaults): residents must have
    days to read a topic published for comment before it is discussed (会前公示, 5 days)."""

    community = models.OneToOneField("registry.Place", on_delete=models.CASCADE, related_name="council_rule", verbose_name=_("社区"))
    comment_days = models.PositiveSmallIntegerField(_("会前公示征求意见不少于（天）"), default=5)
    deliberate_days = models.PositiveSmallIntegerField(_("协商讨论不少于（天）"), default=0)

    class Meta:
        verbose_name = _("议事程序时限")
        verbose_name_plural = _("议事程序时限")

    def __str__(self):
        return str(self.community)

    @classmethod
    def for_community(cls, community_id: int) -> CouncilRule:
        return cls.objects.filter(community_id=community_id).first() or cls(community_id=community_id)

    def min_days(self, step: str) -> int:
        return {"comment": self.comment_days, "deliberate": self.deliberate_days}.get(step, 0)

    def earliest_advance(self, topic: Topic) -> datetime | None:
        """When the topic may leave its step, or None when the step has no minimum."""
        days = self.min_days(topic.step)
        return topic.step_entered_at + timedelta(days=days) if days else None

    def may_advance(self, topic: Topic, now: datetime | None = None) -> bool:
        earliest = self.earliest_advance(topic)
        return earliest is None or (now or timezone.now()) >= earliest


RULE_LABELS = {
    Rule.MAJORITY: _("到会成员过半数"),
    Rule.TWO_THIRDS: _("到会成员三分之二"),
    Rule.OWNERS: _("业主双过半（民法典第278条）"),
    Rule.OWNERS_SPECIAL: _("业主双四分之三（第278条第6–8项）"),
}
ACTION_LABELS = {
    "propose": _("提出议题"),
    "accept": _("列入议程"),
    "advance": _("进入下一步"),
    "comment": _("意见"),
    "option": _("添加方案"),
    "vote_open": _("发起表决"),
    "vote_close": _("计票"),
    "resolution": _("发布决议"),
    "support": _("附议"),
}


class Council(models.Model):
    class Kind(models.TextChoices):
        RESIDENTS = "residents", _("居民议事会")
        NEIGHBOURS = "neighbours", _("邻里议事会")
        ROUND_TABLE = "round_table", _("圆桌会议")
        FOUR_PARTY = "four_party", _("四方议事（社区、物业、业委会、党组织）")

    community = models.ForeignKey("registry.Place", on_delete=models.PROTECT, related_name="+", verbose_name=_("社区"))
    compound = models.ForeignKey(
        "registry.Place", null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("小区")
    )
    name = models.CharField(_("名称"), max_length=100)
    kind = models.CharField(_("类型"), max_length=16, choices=Kind.choices, default=Kind.RESIDENTS)
    support_threshold = models.PositiveSmallIntegerField(_("列入议程所需附议人数"), default=10)
    steps = models.JSONField(_("议事程序"), default=list)
    quorum_percent = models.PositiveSmallIntegerField(_("法定人数（%）"), default=50)

    class Meta:
        verbose_name = _("议事会")
        verbose_name_plural = _("议事会")

    def __str__(self):
        return self.name

    @property
    def procedure(self) -> list[str]:
        return self.steps or DEFAULT_STEPS


class CurrentMembers(models.Manager):
    def get_queryset(self):
        return super().get_queryset().filter(left_at__isnull=True)


class Member(models.Model):
    class Role(models.TextChoices):
        CONVENER = "convener", _("召集人")
        PARTY_MEMBER = "party_member", _("党员")
        RED_STEWARD = "red_steward", _("红色小管家")
        GRID_WORKER = "grid_worker", _("网格员")
        RESIDENT_REP = "resident_rep", _("居民代表")
        NEW_ECONOMY = "new_economy", _("新业态从业者")
        PROPERTY = "property", _("物业")
        OWNERS_COMMITTEE = "owners_committee", _("业委会")
        DEPUTY = "deputy", _("人大代表/政协委员")

    council = models.ForeignKey(Council, on_delete=models.CASCADE, related_name="members", verbose_name=_("议事会"))
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="council_memberships")
    name = models.CharField(_("姓名"), max_length=50)
    role = models.CharField(_("身份"), max_length=20, choices=Role.choices)
    # Printed on the sign-in sheet: a member without a phone is ticked by staff.
    sign_in_code = models.CharField(max_length=12, editable=False)
    # A member who leaves keeps their past sign-ins (the meetings' records stay true); they no
    # longer count, vote or appear on lists (``objects`` holds current members only).
    left_at = models.DateTimeField(_("退出时间"), null=True, blank=True)

    objects = CurrentMembers()
    all_objects = models.Manager()  # noqa: DJ012 (two managers: current members and everyone)

    class Meta:
        verbose_name = _("议事成员")
        verbose_name_plural = _("议事成员")
        base_manager_name = "all_objects"
        constraints = [
            models.UniqueConstraint(
                fields=["council", "user"], condition=models.Q(user__isnull=False, left_at__isnull=True), name="one_membership_per_user"
            )
        ]

    def __str__(self):
        return self.name


class Topic(models.Model):
    class Source(models.TextChoices):
        RESIDENT = "resident", _("居民提出")
        STAFF = "staff", _("社区提出")
        APPEAL = "appeal", _("诉求转议题")
        GRID = "grid", _("网格走访发现")

    class Status(models.TextChoices):
        OPEN = "open", _("进行中")
        DONE = "done", _("已办结")
        DROPPED = "dropped", _("已撤销")

    council = models.ForeignKey(Council, on_delete=models.CASCADE, related_name="topics", verbose_name=_("议事会"))
    title = models.CharField(_("议题"), max_length=100)
    description = models.TextField(_("说明"), blank=True)
    source = models.CharField(_("来源"), max_length=16, choices=Source.choices)
    proposer = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("提出人"))
    step = models.CharField(_("当前步骤"), max_length=16, default="collect")
    # When the topic entered its step: the minimum durations (CouncilRule) count from here.
    step_entered_at = models.DateTimeField(_("进入本步骤时间"), default=timezone.now)
    status = models.CharField(_("状态"), max_length=16, choices=Status.choices, default=Status.OPEN)
    appeals = models.ManyToManyField("appeals.Appeal", blank=True, related_name="topics", verbose_name=_("相关诉求"))
    created_at = models.DateTimeField(_("提出时间"), default=timezone.now)

    class Meta:
        verbose_name = _("议题")
        verbose_name_plural = _("议题")
        ordering = ["-created_at"]

    def __str__(self):
        return self.title

    @property
    def step_label(self):
        return STEP_LABELS.get(self.step, self.step)


class TopicSupport(models.Model):
    topic = models.ForeignKey(Topic, on_delete=models.CASCADE, related_name="supports")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["topic", "user"], name="one_topic_support_per_user")]

    def __str__(self):
        return f"{self.topic_id}+{self.user_id}"


class TopicRecord(models.Model):
    """What happened at each step of the procedure, and who did it."""

    topic = models.ForeignKey(Topic, on_delete=models.CASCADE, related_name="records")
    step = models.CharField(max_length=16)
    action = models.CharField(max_length=24)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    note = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)  # when it happened (a step's time, see topic_advance)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self):
        return f"{self.topic_id} {self.step} {self.action}"

    @property
    def step_label(self):
        return STEP_LABELS.get(self.step, self.step)

    @property
    def action_label(self):
        return ACTION_LABELS.get(self.action, self.action)


class Option(models.Model):
    """One of the N solutions for a topic (1+5+N)."""

    topic = models.ForeignKey(Topic, on_delete=models.CASCADE, related_name="options")
    title = models.CharField(_("方案"), max_length=100)
    description = models.TextField(_("说明"), blank=True)

    class Meta:
        ordering = ["id"]

    def __str__(self):
        return self.title


class Meeting(models.Model):
    class Kind(models.TextChoices):
        MONTHLY = "monthly", _("一月一议")
        MATTER = "matter", _("一事一议")

    council = models.ForeignKey(Council, on_delete=models.CASCADE, related_name="meetings")
    kind = models.CharField(_("类型"), max_length=16, choices=Kind.choices)
    title = models.CharField(_("会议"), max_length=100)
    scheduled_at = models.DateTimeField(_("时间"))
    location = models.CharField(_("地点"), max_length=100, blank=True)
    topics = models.ManyToManyField(Topic, blank=True, related_name="meetings", verbose_name=_("议程"))
    minutes = models.TextField(_("会议纪要"), blank=True)
    held_at = models.DateTimeField(_("召开时间"), null=True, blank=True)

    class Meta:
        ordering = ["-scheduled_at"]

    def __str__(self):
        return self.title


class Attendance(models.Model):
    class Method(models.TextChoices):
        QR = "qr", _("扫码签到")
        STAFF = "staff", _("工作人员登记")

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="attendance")
    member = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="+")
    method = models.CharField(max_length=8, choices=Method.choices)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    signed_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["meeting", "member"], name="sign_in_once")]

    def __str__(self):
        return f"{self.meeting_id}:{self.member_id}"


class Vote(models.Model):
    class Status(models.TextChoices):
        OPEN = "open", _("投票中")
        CLOSED = "closed", _("已计票")

    topic = models.ForeignKey(Topic, on_delete=models.CASCADE, related_name="votes")
    option = models.ForeignKey(Option, null=True, blank=True, on_delete=models.PROTECT, related_name="votes", verbose_name=_("方案"))
    meeting = models.ForeignKey(Meeting, null=True, blank=True, on_delete=models.SET_NULL, related_name="votes", verbose_name=_("会议"))
    rule = models.CharField(_("表决规则"), max_length=24, choices=[(r.value, r.value) for r in Rule])
    # For owners' votes: the compound whose owners are eligible.
    compound = models.ForeignKey(
        "registry.Place", null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("小区")
    )
    secret = models.BooleanField(_("无记名"), default=False)
    status = models.CharField(_("状态"), max_length=8, choices=Status.choices, default=Status.OPEN)
    opened_at = models.DateTimeField(auto_now_add=True)
    closes_at = models.DateTimeField(_("截止时间"), null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    passed = models.BooleanField(null=True)
    result_lines = models.JSONField(default=list, blank=True)
    figures = models.JSONField(default=dict, blank=True)

    class Meta:
        verbose_name = _("表决")
        verbose_name_plural = _("表决")

    def __str__(self):
        return f"{self.topic} / {self.option or ''}"

    @property
    def rule_label(self):
        return RULE_LABELS.get(self.rule, self.rule)

    @property
    def result_text(self) -> list[str]:
        """The arithmetic in the reader's language."""
        from linli.councils.voting import render_line

        return [render_line(item) for item in self.result_lines]


class Ballot(models.Model):
    """One per eligible voter and vote — the database refuses a second (UniqueConstraint)."""

    vote = models.ForeignKey(Vote, on_delete=models.CASCADE, related_name="ballots")
    voter_key = models.CharField(max_length=64)  # "m<member id>" or an owner key
    choice = models.CharField(max_length=8, choices=[("for", _("赞成")), ("against", _("反对")), ("abstain", _("弃权"))])
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["vote", "voter_key"], name="one_ballot_per_voter")]

    def __str__(self):
        return f"{self.vote_id}:{self.voter_key}"


class Resolution(models.Model):
    class Status(models.TextChoices):
        NOTICE = "notice", _("公示中")
        IMPLEMENTING = "implementing", _("实施中")
        DONE = "done", _("已完成")

    topic = models.OneToOneField(Topic, on_delete=models.CASCADE, related_name="resolution")
    # The vote the resolution rests on, and whether it adopts what was voted: a rejected
    # proposal can only be recorded as not adopted.
    vote = models.ForeignKey("Vote", null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("依据的表决"))
    adopted = models.BooleanField(_("采纳"), default=True)
    decision = models.TextField(_("决议"))
    responsible = models.CharField(_("责任方"), max_length=200)
    due_on = models.DateField(_("完成期限"))
    notice_until = models.DateField(_("公示截止"))
    status = models.CharField(_("状态"), max_length=16, choices=Status.choices, default=Status.NOTICE)
    published_at = models.DateTimeField(auto_now_add=True)
    done_at = models.DateTimeField(null=True, blank=True)

    def __str__(self):
        return self.decision[:40]

    @property
    def adoption_label(self):
        return _("采纳") if self.adopted else _("表决未通过，不予采纳")


class ResolutionUpdate(models.Model):
    resolution = models.ForeignKey(Resolution, on_delete=models.CASCADE, related_name="updates")
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    note = models.TextField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self):
        return self.note[:40]
