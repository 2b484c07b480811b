"""Notices down the group tree (通知公告): a notice published to a node of the community's tree
(the community, a compound, a building, a stairwell, a grid) or to an ad-hoc group reaches
everyone registered below it, with a read receipt per person.

The tree's groups are the registry itself — a place or a grid — so their members are always the
registry's residents at the moment of publishing; only ad-hoc groups (a council's members, a
volunteer team, a hand-picked list) are stored. Receipts are written when the notice is
published (one bulk insert); the messages through the outbox are written by the worker.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class GroupSource(models.TextChoices):
    LIST = "list", _("指定名单")
    COUNCIL = "council", _("议事会成员")
    TEAM = "team", _("志愿服务队")
    TAG = "tag", _("关怀标签")  # e.g. every resident living alone (独居老人) in the community


class Group(models.Model):
    """An ad-hoc group (专题群组). A council's or a team's group follows its source's members;
    a list is kept by hand."""

    community = models.ForeignKey("registry.Place", on_delete=models.PROTECT, related_name="+", verbose_name=_("社区"))
    name = models.CharField(_("名称"), max_length=60)
    source = models.CharField(_("成员来源"), max_length=16, choices=GroupSource.choices, default=GroupSource.LIST)
    council = models.ForeignKey(
        "councils.Council", null=True, blank=True, on_delete=models.CASCADE, related_name="+", verbose_name=_("议事会")
    )
    team = models.ForeignKey("volunteers.Team", null=True, blank=True, on_delete=models.CASCADE, related_name="+", verbose_name=_("服务队"))
    tag = models.ForeignKey(
        "registry.CareTag", null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("关怀标签")
    )
    members = models.ManyToManyField("registry.Resident", blank=True, related_name="+", verbose_name=_("成员"))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("群组")
        verbose_name_plural = _("群组")
        ordering = ["name", "id"]

    def __str__(self):
        return self.name


class Priority(models.TextChoices):
    NORMAL = "normal", _("一般")
    URGENT = "urgent", _("紧急")  # 停水、停电、燃气: shown first, sent by SMS as well


class NoticeStatus(models.TextChoices):
    QUEUED = "queued", _("发送中")
    SENT = "sent", _("已发送")
    WITHDRAWN = "withdrawn", _("已撤回")


class Notice(models.Model):
    community = models.ForeignKey("registry.Place", on_delete=models.PROTECT, related_name="+", verbose_name=_("社区"))
    # The node it was published to: exactly one of a place (community … stairwell), a grid, a group.
    place = models.ForeignKey("registry.Place", null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("范围"))
    grid = models.ForeignKey("registry.Grid", null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("网格"))
    group = models.ForeignKey(Group, null=True, blank=True, on_delete=models.PROTECT, related_name="notices", verbose_name=_("群组"))
    audience_label = models.CharField(_("发送范围"), max_length=200)
    title = models.CharField(_("标题"), max_length=60)
    body = models.TextField(_("内容"), max_length=2000)
    priority = models.CharField(_("紧急程度"), max_length=8, choices=Priority.choices, default=Priority.NORMAL)
    sms = models.BooleanField(_("同时发短信"), default=False)
    status = models.CharField(_("状态"), max_length=12, choices=NoticeStatus.choices, default=NoticeStatus.QUEUED)
    recipients = models.PositiveIntegerField(_("应读人数"), default=0)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("发布人")
    )
    published_at = models.DateTimeField(_("发布时间"), auto_now_add=True, db_index=True)
    delivered_at = models.DateTimeField(_("送达时间"), null=True, blank=True)
    idempotency_key = models.CharField(max_length=64, null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("通知")
        verbose_name_plural = _("通知")
        ordering = ["-published_at", "-id"]
        constraints = [
            models.CheckConstraint(
                name="notice_one_audience",
                condition=(
                    Q(place__isnull=False, grid__isnull=True, group__isnull=True)
                    | Q(place__isnull=True, grid__isnull=False, group__isnull=True)
                    | Q(place__isnull=True, grid__isnull=True, group__isnull=False)
                ),
            ),
            models.UniqueConstraint(fields=["published_by", "idempotency_key"], name="notice_idempotency"),
        ]

    def __str__(self):
        return self.title

    @property
    def is_urgent(self) -> bool:
        return self.priority == Priority.URGENT


class ReadVia(models.TextChoices):
    APP = "app", _("站内")
    LINK = "link", _("短信链接")
    DOOR = "door", _("上门告知")


class Receipt(models.Model):
    """One person's copy of a notice (阅读回执). ``dwelling`` is where they were registered when
    it was published, so the building head's list of who has not read it stays put."""

    notice = models.ForeignKey(Notice, on_delete=models.CASCADE, related_name="receipts")
    resident = models.ForeignKey("registry.Resident", on_delete=models.CASCADE, related_name="+")
    dwelling = models.ForeignKey("registry.Place", on_delete=models.PROTECT, related_name="+")
    read_at = models.DateTimeField(_("阅读时间"), null=True, blank=True)
    read_via = models.CharField(_("阅读方式"), max_length=8, choices=ReadVia.choices, blank=True)
    marked_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    reminders = models.PositiveSmallIntegerField(_("提醒次数"), default=0)
    reminded_at = models.DateTimeField(null=True, blank=True)
    # A random salt for the SMS link's signature (the link reads the receipt without a login).
    salt = models.CharField(max_length=16, blank=True, editable=False)

    class Meta:
        verbose_name = _("阅读回执")
        verbose_name_plural = _("阅读回执")
        constraints = [models.UniqueConstraint(fields=["notice", "resident"], name="receipt_once_per_person")]
        indexes = [models.Index(fields=["notice", "read_at"], name="receipt_notice_read")]

    def __str__(self):
        return f"{self.notice_id}:{self.resident_id}"


class Reply(models.Model):
    """A resident's reply to a notice (留言); staff may turn it into an appeal in one step."""

    notice = models.ForeignKey(Notice, on_delete=models.CASCADE, related_name="replies")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    text = models.TextField(_("留言"), max_length=500)
    created_at = models.DateTimeField(auto_now_add=True)
    appeal = models.OneToOneField(
        "appeals.Appeal", null=True, blank=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("转为诉求")
    )

    class Meta:
        verbose_name = _("留言")
        verbose_name_plural = _("留言")
        ordering = ["created_at", "id"]
        constraints = [models.UniqueConstraint(fields=["notice", "author", "text"], name="reply_once")]

    def __str__(self):
        return self.text[:30]
