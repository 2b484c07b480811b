"""Resident identity card numbers (居民身份证号码), GB 11643-1999.

18 characters: 6-digit region code, 8-digit birth date, 3-digit sequence (odd for men,
even for women) and a check digit computed by ISO 7064 MOD 11-2 (``X`` stands for 10).
"""

from dataclasses import dataclass
from datetime import date

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
CHECK_CHARS = "10X98765432"
# First two digits: the province-level divisions of GB/T 2260 (plus 71/81/82 for
# Taiwan, Hong Kong, Macao as the standard lists them).
PROVINCE_CODES = frozenset("11 12 13 14 15 21 22 23 31 32 33 34 35 36 37 41 42 43 44 45 46 50 51 52 53 54 61 62 63 64 65 71 81 82".split())


def check_char(first17: str) -> str:
    total = sum(int(c) * w for c, w in zip(first17, WEIGHTS, strict=True))
    return CHECK_CHARS[total % 11]


@dataclass(frozen=True)
class IdCard:
    number: str
    birth_date: date
    gender: str  # "M" or "F", from the sequence's last digit


def normalize(raw: str) -> str:
    return (raw or "").strip().replace(" ", "").upper()


def parse(raw: str, *, today: date | None = None) -> IdCard:
    """Return the parsed number or raise ValidationError saying what is wrong."""
    number = normalize(raw)
    if len(number) != 18:
        raise ValidationError(_("身份证号码应为18位，当前为%(n)s位。"), code="length", params={"n": len(number)})
    if not number[:17].isdigit() or not (number[17].isdigit() or number[17] == "X"):
        raise ValidationError(_("身份证号码前17位应为数字，最后一位为数字或X。"), code="format")
    if number[:2] not in PROVINCE_CODES:
        raise ValidationError(_("身份证号码的地区码无效。"), code="region")
    try:
        born = date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        raise ValidationError(_("身份证号码中的出生日期无效。"), code="birth_date") from None
    today = today or date.today()
    if born > today or born.year < 1880:
        raise ValidationError(_("身份证号码中的出生日期无效。"), code="birth_date")
    if check_char(number[:17]) != number[17]:
        raise ValidationError(_("身份证号码校验位不正确。"), code="check_digit")
    return IdCard(number=number, birth_date=born, gender="M" if int(number[16]) % 2 else "F")


def validate_id_number(raw: str) -> None:
    parse(raw)


def make(region: str, born: date, sequence: int) -> str:
    """Build a valid number (demo data and tests)."""
    first17 = f"{region}{born:%Y%m%d}{sequence:03d}"
    return first17 + check_char(first17)
