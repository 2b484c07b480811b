from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from linli.core.crypto import EncryptedCharField


class AuditEntry(models.Model):
    """One row per change to registry data and per unmasked view of personal data.

    ``changes`` holds ``{field: [old, new]}``; sensitive fields are written masked, so the
    audit log itself never holds an ID number or phone in clear.
    """

    class Action(models.TextChoices):
        CREATE = "create", _("新增")
        UPDATE = "update", _("修改")
        DELETE = "delete", _("删除")
        REVEAL = "reveal", _("查看完整信息")
        EXPORT = "export", _("导出")
        IMPORT = "import", _("导入")
        SEARCH = "search", _("按完整号码检索")

    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, verbose_name=_("操作人"))
    action = models.CharField(_("操作"), max_length=16, choices=Action.choices)
    target_type = models.CharField(_("对象类型"), max_length=64)
    target_id = models.CharField(_("对象编号"), max_length=64, blank=True)
    target_label = models.CharField(_("对象"), max_length=200, blank=True)
    changes = models.JSONField(_("变更"), default=dict, blank=True)
    note = models.CharField(_("说明"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("时间"), auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("审计日志")
        verbose_name_plural = _("审计日志")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["target_type", "target_id"]), models.Index(fields=["actor", "action", "created_at"])]

    def __str__(self):
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.actor} {self.action} {self.target_type}#{self.target_id}"


class CalendarDay(models.Model):
    """An administrator's entry in the working-day calendar.

    chinese-calendar knows China's statutory holidays and make-up working days only for the
    years it was released with; the State Council publishes each new year in November or
    December. Administrators enter the new year here (and may correct any day); an entry
    always wins over the package.
    """

    date = models.DateField(_("日期"), unique=True)
    is_workday = models.BooleanField(_("工作日"))
    note = models.CharField(_("说明"), max_length=50, blank=True)  # e.g. 春节, 国庆节调休

    class Meta:
        verbose_name = _("工作日历")
        verbose_name_plural = _("工作日历")
        ordering = ["date"]

    def __str__(self):
        return f"{self.date} {'workday' if self.is_workday else 'holiday'}"


class Notification(models.Model):
    """The outbox: a message to one person on one channel, written in the same transaction as
    the change it reports and delivered later by a task. A sender that is down leaves the row
    pending with a later ``next_attempt_at``: nothing is lost."""

    class Channel(models.TextChoices):
        IN_APP = "in_app", _("站内消息")
        SMS = "sms", _("短信")
        WECHAT = "wechat", _("微信")

    class State(models.TextChoices):
        PENDING = "pending", _("待发送")
        SENT = "sent", _("已发送")
        FAILED = "failed", _("发送失败")

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE, related_name="notifications", verbose_name=_("接收人")
    )
    # For a reporter without an account: the phone, encrypted like every other phone.
    phone = EncryptedCharField(_("手机号"), blank=True)
    channel = models.CharField(_("渠道"), max_length=16, choices=Channel.choices)
    subject = models.CharField(_("标题"), max_length=100)
    body = models.TextField(_("内容"))
    # A message that carries a secret (a verification code) keeps it encrypted here until it is
    # sent, then drops it; ``body`` holds only a description.
    sealed_body = EncryptedCharField(_("加密内容"), blank=True, editable=False)
    link = models.CharField(_("链接"), max_length=200, blank=True)
    state = models.CharField(_("状态"), max_length=16, choices=State.choices, default=State.PENDING, db_index=True)
    attempts = models.PositiveSmallIntegerField(_("尝试次数"), default=0)
    next_attempt_at = models.DateTimeField(_("下次尝试"), null=True, blank=True, db_index=True)
    last_error = models.CharField(_("错误"), max_length=200, blank=True)
    read_at = models.DateTimeField(_("已读"), null=True, blank=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    sent_at = models.DateTimeField(_("发送时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("通知")
        verbose_name_plural = _("通知")
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return f"{self.channel} {self.subject}"

    @property
    def text(self) -> str:
        """What a sender sends."""
        return self.sealed_body or self.body


class PhoneVerification(models.Model):
    """A one-time code sent to a phone, so a resident without an account can report.
    Only digests are stored: the phone's (for look-up) and the code's."""

    phone_digest = models.CharField(max_length=64, db_index=True)
    code_digest = models.CharField(max_length=64)
    expires_at = models.DateTimeField()
    attempts = models.PositiveSmallIntegerField(default=0)
    used_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("手机验证码")
        verbose_name_plural = _("手机验证码")

    def __str__(self):
        return f"{self.phone_digest[:8]} {self.created_at:%Y-%m-%d %H:%M}"
