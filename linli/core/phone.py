"""Mainland mobile numbers: 11 digits starting 13–19, with an optional +86 / 86 prefix."""

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

_MOBILE = re.compile(r"^1[3-9]\d{9}$")


def normalize(raw: str) -> str:
    digits = re.sub(r"[\s\-()]", "", raw or "")
    if digits.startswith("+86"):
        digits = digits[3:]
    elif digits.startswith("86") and len(digits) == 13:
        digits = digits[2:]
    return digits


def parse(raw: str) -> str:
    number = normalize(raw)
    if not _MOBILE.match(number):
        raise ValidationError(_("请输入11位手机号码（以13–19开头）。"), code="mobile")
    return number


def parse_optional(raw: str, errors: dict, field: str) -> str:
    """For forms where the phone may be left blank: '' when blank, the number when valid,
    otherwise the reason is put in ``errors[field]`` (services collect all errors first)."""
    if not raw:
        return ""
    try:
        return parse(raw)
    except ValidationError as e:
        errors[field] = e.messages[0]
        return ""
