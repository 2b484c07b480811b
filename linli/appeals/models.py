"""Appeals (诉求): a resident's report, from intake to a rated, published result.

The state machine is declared here (``TRANSITIONS``); services.py performs transitions, one
function per action, and nothing else changes ``Appeal.status``.
"""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from linli.core.crypto import EncryptedCharField
from linli.core.files import RandomUploadPath


class Level(models.TextChoices):
    """Tiered handling: 小事楼栋速办、难事网格联办、大事社区共办, then the departments."""

    BUILDING = "building", _("楼栋")
    GRID = "grid", _("网格")
    COMMUNITY = "community", _("社区")
    EXTERNAL = "external", _("职能部门")


LEVEL_ORDER = [Level.BUILDING, Level.GRID, Level.COMMUNITY, Level.EXTERNAL]


class Category(models.Model):
    """A node of the category tree (诉求分类). Rows without a community are the default set."""

    community = models.ForeignKey(
        "registry.Place", null=True, blank=True, on_delete=models.CASCADE, related_name="appeal_categories", verbose_name=_("社区")
    )
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.CASCADE, related_name="children", verbose_name=_("上级分类"))
    code = models.SlugField(_("代码"), max_length=40)
    name = models.CharField(_("名称"), max_length=50)
    default_level = models.CharField(_("默认处理层级"), max_length=16, choices=Level.choices, default=Level.GRID)
    default_handler = models.ForeignKey(
        "registry.Organisation", null=True, blank=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("默认承办单位")
    )
    sign_days = models.PositiveSmallIntegerField(_("签收时限（工作日）"), default=1)
    complete_days = models.PositiveSmallIntegerField(_("办结时限（工作日）"), default=5)
    # Cold-start rules for suggesting a category: any keyword in the text suggests it.
    keywords = models.TextField(_("关键词"), blank=True, help_text=_("用逗号或换行分隔"))
    # Matters of the compound's upkeep: dispatch pre-selects the property company that serves
    # the compound (the community itself for a 三无 compound, which has none).
    routes_to_property = models.BooleanField(_("默认派给物业"), default=False)
    is_active = models.BooleanField(_("启用"), default=True)

    class Meta:
        verbose_name = _("诉求分类")
        verbose_name_plural = _("诉求分类")
        ordering = ["id"]
        constraints = [models.UniqueConstraint(fields=["community", "code"], name="unique_category_code_per_community")]

    def __str__(self):
        return self.name

    @property
    def keyword_list(self) -> list[str]:
        return [k.strip() for k in self.keywords.replace("，", ",").replace("\n", ",").split(",") if k.strip()]


class Status(models.TextChoices):
    SUBMITTED = "submitted", _("已提交")
    ACCEPTED = "accepted", _("已受理")
    DISPATCHED = "dispatched", _("已派单")
    IN_PROGRESS = "in_progress", _("办理中")
    RESOLVED = "resolved", _("已办结")
    CLOSED = "closed", _("已关闭")
    RETURNED = "returned", _("已退单")
    ESCALATED = "escalated", _("已上报")
    REJECTED = "rejected", _("不予受理")
    REOPENED = "reopened", _("重新办理")
    MERGED = "merged", _("已并单")


S = Status
# action -> (states it may start from, state it ends in). None: the state does not change.
TRANSITIONS: dict[str, tuple[frozenset[str], str | None]] = {
    "accept": (frozenset({S.SUBMITTED}), S.ACCEPTED),
    "reject": (frozenset({S.SUBMITTED, S.ACCEPTED}), S.REJECTED),
    "dispatch": (frozenset({S.ACCEPTED, S.RETURNED, S.ESCALATED, S.REOPENED}), S.DISPATCHED),
    "sign": (frozenset({S.DISPATCHED}), S.IN_PROGRESS),
    "return": (frozenset({S.DISPATCHED}), S.RETURNED),
    "escalate": (frozenset({S.ACCEPTED, S.DISPATCHED, S.IN_PROGRESS, S.RETURNED}), S.ESCALATED),
    "resolve": (frozenset({S.IN_PROGRESS}), S.RESOLVED),
    "rate": (frozenset({S.RESOLVED}), S.CLOSED),
    "reopen": (frozenset({S.RESOLVED, S.CLOSED}), S.REOPENED),
    "merge": (frozenset({S.SUBMITTED, S.ACCEPTED, S.DISPATCHED, S.RETURNED, S.ESCALATED, S.REOPENED}), S.MERGED),
    "set_level": (frozenset({S.SUBMITTED, S.ACCEPTED, S.RETURNED, S.ESCALATED, S.REOPENED}), None),
    "extend": (frozenset({S.DISPATCHED, S.IN_PROGRESS}), None),
    "supervise": (frozenset({S.ACCEPTED, S.DISPATCHED, S.IN_PROGRESS, S.RETURNED, S.ESCALATED, S.REOPENED}), None),
    "callback": (frozenset({S.RESOLVED, S.CLOSED}), None),
    # A council's resolution answers the appeals raised to it, wherever they stand.
    "council_resolve": (frozenset({S.SUBMITTED, S.ACCEPTED, S.DISPATCHED, S.IN_PROGRESS, S.RETURNED, S.ESCALATED, S.REOPENED}), S.RESOLVED),
    # So do a mediation agreement (the case the appeal went into) and an accepted project.
    "mediation_resolve": (
        frozenset({S.SUBMITTED, S.ACCEPTED, S.DISPATCHED, S.IN_PROGRESS, S.RETURNED, S.ESCALATED, S.REOPENED}),
        S.RESOLVED,
    ),
    "project_resolve": (frozenset({S.SUBMITTED, S.ACCEPTED, S.DISPATCHED, S.IN_PROGRESS, S.RETURNED, S.ESCALATED, S.REOPENED}), S.RESOLVED),
}
# Every action a timeline can show, as people say it (codes never reach a page).
ACTION_LABELS = {
    "submit": _("提交"),
    "support": _("附议"),
    "accept": _("受理"),
    "reject": _("不予受理"),
    "dispatch": _("派单"),
    "sign": _("签收"),
    "return": _("退单"),
    "escalate": _("上报"),
    "set_level": _("调整层级"),
    "resolve": _("办结"),
    "council_resolve": _("议事决定办结"),
    "mediation_resolve": _("调解结案办结"),
    "project_resolve": _("项目验收办结"),
    "to_mediation": _("转人民调解"),
    "rate": _("评价"),
    "reopen": _("重新办理"),
    "merge": _("并单"),
    "merged_in": _("合并了重复诉求"),
    "extend": _("延期"),
    "supervise": _("督办"),
    "callback": _("回访"),
    "remind": _("到期提醒"),
    "overdue": _("超期提醒"),
    "to_council": _("提交议事"),
    "add_info": _("居民补充信息"),
}

OPEN_STATES = frozenset({S.SUBMITTED, S.ACCEPTED, S.DISPATCHED, S.IN_PROGRESS, S.RETURNED, S.ESCALATED, S.REOPENED})


class Channel(models.TextChoices):
    RESIDENT = "resident", _("居民自报")
    QR = "qr", _("扫码报事")
    GRID_WORKER = "grid_worker", _("网格员随手记")
    BUILDING_HEAD = "building_head", _("楼栋长代报")
    PHONE = "phone", _("电话")
    WALK_IN = "walk_in", _("来访")
    OPEN311 = "open311", _("Open311")
    API = "api", _("接口")


class Appeal(models.Model):
    number = models.CharField(_("编号"), max_length=24, unique=True)
    community = models.ForeignKey("registry.Place", on_delete=models.PROTECT, related_name="+", verbose_name=_("社区"))
    place = models.ForeignKey("registry.Place", on_delete=models.PROTECT, related_name="appeals", verbose_name=_("地点"))
    grid = models.ForeignKey(
        "registry.Grid", null=True, blank=True, on_delete=models.SET_NULL, related_name="appeals", verbose_name=_("网格")
    )
    category = models.ForeignKey(Category, null=True, blank=True, on_delete=models.PROTECT, related_name="appeals", verbose_name=_("分类"))
    suggested_category = models.ForeignKey(
        Category, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("建议分类")
    )
    level = models.CharField(_("处理层级"), max_length=16, choices=Level.choices, default=Level.GRID)
    status = models.CharField(_("状态"), max_length=16, choices=Status.choices, default=Status.SUBMITTED, db_index=True)
    title = models.CharField(_("标题"), max_length=100)
    description = models.TextField(_("描述"))
    channel = models.CharField(_("渠道"), max_length=16, choices=Channel.choices)
    reporter = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="reported_appeals",
        verbose_name=_("报告人"),
    )
    # Whom the report is for, when a grid worker, building head or staff reports on someone's behalf.
    reporter_name = models.CharField(_("反映人"), max_length=50, blank=True)
    contact_phone = EncryptedCharField(_("联系电话"), blank=True)
    contact_phone_masked = models.CharField(_("联系电话"), max_length=11, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("登记人")
    )
    # A digest of (sender, client key): one sender's retry finds its appeal, another's never does.
    idempotency_key = models.CharField(max_length=64, null=True, blank=True, unique=True, editable=False)
    # The reporter's tracking link is /t/<number>/<signature>/, the signature an HMAC of the
    # number and this salt: a leaked database alone does not give working links, and a new salt
    # revokes a link.
    tracking_salt = models.CharField(max_length=24, blank=True, editable=False)
    # The Open311 client that posted it (it may follow its own requests).
    open311_key = models.ForeignKey("Open311Key", null=True, blank=True, on_delete=models.SET_NULL, related_name="appeals", editable=False)
    merged_into = models.ForeignKey("self", null=True, blank=True, on_delete=models.SET_NULL, related_name="merged", verbose_name=_("并入"))
    # Stored deadlines: the reminder task scans these columns.
    sign_deadline = models.DateTimeField(_("签收期限"), null=True, blank=True, db_index=True)
    complete_deadline = models.DateTimeField(_("办结期限"), null=True, blank=True, db_index=True)
    reminded_at = models.DateTimeField(_("已提醒"), null=True, blank=True)
    supervised_at = models.DateTimeField(_("督办时间"), null=True, blank=True)
    overdue_notified_at = models.DateTimeField(_("超期提醒时间"), null=True, blank=True)
    result = models.TextField(_("办理结果"), blank=True)
    resolved_at = models.DateTimeField(_("办结时间"), null=True, blank=True)
    rating = models.PositiveSmallIntegerField(_("评价"), null=True, blank=True, validators=[MinValueValidator(1), MaxValueValidator(5)])
    rating_comment = models.CharField(_("评价意见"), max_length=500, blank=True)
    closed_at = models.DateTimeField(_("关闭时间"), null=True, blank=True)
    created_at = models.DateTimeField(_("提交时间"), auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("诉求")
        verbose_name_plural = _("诉求")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["community", "status"]),
            models.Index(fields=["place", "status"]),
            # Lists are newest first: a page walks this index and stops after its rows.
            models.Index(fields=["-created_at", "-id"], name="appeal_newest"),
            # The open appeals alone, covering what the inbox counts read (PostgreSQL INCLUDE): the
            # badge on every page counts from the index, not from the district's appeals.
            models.Index(
                fields=["status", "complete_deadline"],
                include=["id", "community"],
                condition=models.Q(status__in=sorted(OPEN_STATES)),
                name="appeal_open",
            ),
        ]

    def __str__(self):
        return f"{self.number} {self.title}"

    def can(self, action: str) -> bool:
        """Whether the action is allowed from the current state (who may do it: services)."""
        allowed_from, _to = TRANSITIONS[action]
        return self.status in allowed_from

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATES

    @property
    def public_place(self) -> str:
        """The place as the public board shows it: down to the building, never the dwelling."""
        parts = (self.place.address or self.place.name).split(" ")
        return " ".join(parts[: 1 if self.place.kind == "compound" else 2])


class Assignment(models.Model):
    """One handler of a dispatched appeal: a person or an organisation. Several make a joint
    handling (联办) with one lead."""

    class State(models.TextChoices):
        PENDING = "pending", _("待签收")
        SIGNED = "signed", _("已签收")
        RETURNED = "returned", _("已退回")
        WITHDRAWN = "withdrawn", _("已撤回")

    appeal = models.ForeignKey(Appeal, on_delete=models.CASCADE, related_name="assignments", verbose_name=_("诉求"))
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("承办人")
    )
    organisation = models.ForeignKey(
        "registry.Organisation", null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("承办单位")
    )
    is_lead = models.BooleanField(_("主办"), default=False)
    state = models.CharField(_("状态"), max_length=16, choices=State.choices, default=State.PENDING)
    signed_at = models.DateTimeField(_("签收时间"), null=True, blank=True)
    created_at = models.DateTimeField(_("派单时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("派单")
        verbose_name_plural = _("派单")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(user__isnull=False, organisation__isnull=True) | models.Q(user__isnull=True, organisation__isnull=False),
                name="assignment_has_one_handler",
            )
        ]

    def __str__(self):
        return str(self.user or self.organisation)


class Event(models.Model):
    """The appeal's timeline: who did what, when, from which state to which, with a note."""

    appeal = models.ForeignKey(Appeal, on_delete=models.CASCADE, related_name="events", verbose_name=_("诉求"))
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("操作人")
    )
    action = models.CharField(_("操作"), max_length=32)
    from_status = models.CharField(_("原状态"), max_length=16, blank=True)
    to_status = models.CharField(_("新状态"), max_length=16, blank=True)
    note = models.TextField(_("说明"), blank=True)
    # Visible to the reporter on the status page (internal notes are not).
    public = models.BooleanField(_("对居民可见"), default=True)
    created_at = models.DateTimeField(_("时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("办理记录")
        verbose_name_plural = _("办理记录")
        ordering = ["created_at", "id"]

    def __str__(self):
        return f"{self.appeal_id} {self.action}"

    @property
    def action_label(self):
        return ACTION_LABELS.get(self.action, self.action)


class Support(models.Model):
    """A resident adds their voice to an open appeal instead of reporting it again."""

    appeal = models.ForeignKey(Appeal, on_delete=models.CASCADE, related_name="supports")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("附议")
        verbose_name_plural = _("附议")
        constraints = [models.UniqueConstraint(fields=["appeal", "user"], name="one_support_per_user")]

    def __str__(self):
        return f"{self.appeal_id}+{self.user_id}"


class Photo(models.Model):
    """A photo of the problem (from the reporter) or of the result (from the handler), stored
    without metadata (linli.core.images)."""

    appeal = models.ForeignKey(Appeal, on_delete=models.CASCADE, related_name="photos", verbose_name=_("诉求"))
    event = models.ForeignKey(Event, null=True, blank=True, on_delete=models.SET_NULL, related_name="photos", verbose_name=_("办理记录"))
    image = models.ImageField(_("图片"), upload_to=RandomUploadPath("appeals"))
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("图片")
        verbose_name_plural = _("图片")
        ordering = ["id"]

    def __str__(self):
        return self.image.name


class Open311Key(models.Model):
    """An API key for an Open311 GeoReport v2 client, issued by an administrator for one
    community. Only a digest is stored; the key is shown once when issued."""

    name = models.CharField(_("名称"), max_length=100)
    community = models.ForeignKey("registry.Place", on_delete=models.CASCADE, related_name="+", verbose_name=_("社区"))
    key_digest = models.CharField(max_length=64, unique=True, editable=False)
    is_active = models.BooleanField(_("启用"), default=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("Open311 密钥")
        verbose_name_plural = _("Open311 密钥")

    def __str__(self):
        return self.name
