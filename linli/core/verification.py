"""Confirming a phone with a one-time code (for residents who report without an account).

Rules: a code lives 10 minutes and allows 5 tries; a phone gets at most one code a minute
and 10 a day. The code goes out through the outbox's SMS sender (console in development).
"""

import secrets
from datetime import timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from linli.core import crypto
from linli.core import phone as phone_rules
from linli.core.models import PhoneVerification
from linli.core.notify import notify_phone

TTL = timedelta(minutes=10)
MAX_TRIES = 5
MIN_INTERVAL = timedelta(seconds=60)
DAILY_LIMIT = 10


def _code_digest(phone: str, code: str) -> str:
    return crypto.digest(f"{phone}:{code}")


def phone_code_send(*, phone: str) -> None:
    number = phone_rules.parse(phone)
    digest = crypto.digest(number)
    now = timezone.now()
    recent = PhoneVerification.objects.filter(phone_digest=digest, created_at__gte=now - timedelta(days=1))
    if recent.filter(created_at__gte=now - MIN_INTERVAL).exists():
        raise ValidationError({"phone": _("验证码已发送，请稍后再试。")})
    if recent.count() >= DAILY_LIMIT:
        raise ValidationError({"phone": _("今天获取验证码的次数过多，请明天再试。")})
    code = f"{secrets.randbelow(10**6):06d}"
    with transaction.atomic():
        PhoneVerification.objects.create(phone_digest=digest, code_digest=_code_digest(number, code), expires_at=now + TTL)
        notify_phone(
            number,
            subject=_("验证码"),
            body=_("您的验证码是%(c)s，10分钟内有效。请勿告诉他人。") % {"c": code},
            sealed=True,
        )


def phone_code_check(*, phone: str, code: str) -> PhoneVerification:
    """Check a code without using it up. Every try is counted in its own transaction, so a
    caller's rollback can never undo the count (five tries, then a new code)."""
    number = phone_rules.parse(phone)
    now = timezone.now()
    with transaction.atomic():
        v = (
            PhoneVerification.objects.select_for_update()
            .filter(phone_digest=crypto.digest(number), used_at__isnull=True, expires_at__gt=now)
            .order_by("-created_at")
            .first()
        )
        if v is None:
            raise ValidationError({"code": _("验证码已失效，请重新获取。")})
        if v.attempts >= MAX_TRIES:
            raise ValidationError({"code": _("尝试次数过多，请重新获取验证码。")})
        v.attempts += 1
        ok = secrets.compare_digest(v.code_digest, _code_digest(number, (code or "").strip()))
        v.save(update_fields=["attempts"])
    if not ok:
        raise ValidationError({"code": _("验证码不正确。")})
    v.number = number
    return v


def phone_code_consume(verification: PhoneVerification) -> str:
    """Use a checked code up — inside the caller's transaction, so it is used only if what it
    confirms is written. Returns the confirmed number."""
    updated = PhoneVerification.objects.filter(pk=verification.pk, used_at__isnull=True).update(used_at=timezone.now())
    if not updated:
        raise ValidationError({"code": _("验证码已失效，请重新获取。")})
    return verification.number


def phone_code_verify(*, phone: str, code: str) -> str:
    """Return the confirmed number, or raise ValidationError."""
    v = phone_code_check(phone=phone, code=code)
    with transaction.atomic():
        return phone_code_consume(v)
