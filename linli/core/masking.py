"""How sensitive values look when a role may not see them in full."""


def mask_id_number(number: str) -> str:
    """First 6 + last 4 stay, the rest is starred: 340102********1234."""
    if not number:
        return ""
    if len(number) <= 10:
        return "*" * len(number)
    return number[:6] + "*" * (len(number) - 10) + number[-4:]


def mask_phone(number: str) -> str:
    """138****5678: operator prefix and last four, as banks and the 12345 hotline show it."""
    if not number:
        return ""
    if len(number) < 7:
        return "*" * len(number)
    return number[:3] + "*" * (len(number) - 7) + number[-4:]


def mask_name(name: str) -> str:
    """张* / 欧阳** : the family name stays (used on public boards)."""
    if not name:
        return ""
    return name[0] + "*" * max(1, len(name) - 1)


def age_band(birth_date, today=None) -> str:
    """ "60–69岁": the decade of age, never the birth date. A birth date beside a masked ID number
    would give the hidden digits away (they are the birth date); even an exact age with the
    visible check digit leaves only a few dozen candidates."""
    from django.utils import timezone
    from django.utils.translation import gettext as _

    if birth_date is None:
        return ""
    today = today or timezone.localdate()
    age = today.year - birth_date.year - ((today.month, today.day) < (birth_date.month, birth_date.day))
    if age >= 90:
        return _("90岁及以上")
    low = max(age, 0) // 10 * 10
    return _("%(low)s–%(high)s岁") % {"low": low, "high": low + 9}
