"""Households and residents: the fields and their rules (ID numbers, phones, pinyin keys), full-number views and searches, each logged."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from pypinyin import Style, lazy_pinyin

from linli.accounts.models import User
from linli.accounts.scope import scope_for
from linli.core import audit, crypto, idcard
from linli.core import phone as phone_rules
from linli.core.masking import mask_id_number, mask_phone
from linli.core.models import AuditEntry
from linli.registry import access
from linli.registry.models import (
    CareTag,
    Household,
    Place,
    PlaceKind,
    Registration,
    Relationship,
    Resident,
)
from linli.registry.services.common import _require

RESIDENT_AUDIT_FIELDS = (
    "name",
    "gender",
    "birth_date",
    "id_number",
    "phone",
    "registration",
    "relationship",
    "household_id",
    "is_active",
)


# ---- people ------------------------------------------------------------------------


def household_create(*, actor: User, dwelling: Place, number: str = "") -> Household:
    if dwelling.kind != PlaceKind.DWELLING:
        raise ValidationError({"dwelling": _("家庭户必须登记在一处房屋。")})
    _require(access.can_edit(scope_for(actor), dwelling))
    with transaction.atomic():
        household = Household.objects.create(dwelling=dwelling, number=(number or "").strip())
        audit.record(
            actor=actor, action="create", target=household, changes={"dwelling_id": [None, dwelling.pk], "number": [None, household.number]}
        )
    return household


def name_keys(name: str) -> tuple[str, str]:
    """Full pinyin and initials, so that "zhangsan" and "zs" both find 张三."""
    full = "".join(lazy_pinyin(name, errors="ignore")).lower()
    initials = "".join(lazy_pinyin(name, style=Style.FIRST_LETTER, errors="ignore")).lower()
    return full[:200], initials[:50]


def clean_resident_fields(
    *,
    name: str,
    gender: str = "",
    id_number: str = "",
    phone: str = "",
    birth_date: date | None = None,
    registration: str = Registration.HUJI,
    relationship: str = Relationship.HEAD,
) -> dict:
    """Validate and derive every stored column of a resident. Raises ValidationError by field."""
    errors: dict[str, str] = {}
    name = (name or "").strip()
    if not name:
        errors["name"] = _("请填写姓名。")
    elif len(name) > 50:
        errors["name"] = _("姓名过长。")
    parsed = None
    if id_number:
        try:
            parsed = idcard.parse(id_number)
        except ValidationError as e:
            errors["id_number"] = e.messages[0]
    number = phone_rules.parse_optional(phone, errors, "phone")
    if parsed:
        if birth_date and birth_date != parsed.birth_date:
            errors["birth_date"] = _("出生日期与身份证号码不一致。")
        if gender and gender != parsed.gender:
            errors["gender"] = _("性别与身份证号码不一致。")
        birth_date = parsed.birth_date
        gender = parsed.gender
    if gender not in ("M", "F") and "id_number" not in errors:
        errors["gender"] = _("请选择性别，或填写身份证号码。")
    if registration not in Registration.values:
        errors["registration"] = _("户籍状态无效。")
    if relationship not in Relationship.values:
        errors["relationship"] = _("与户主关系无效。")
    if errors:
        raise ValidationError(errors)
    pinyin, initials = name_keys(name)
    id_clean = parsed.number if parsed else ""
    return {
        "name": name,
        "name_pinyin": pinyin,
        "name_initials": initials,
        "gender": gender,
        "birth_date": birth_date,
        "id_number": id_clean,
        "id_number_digest": crypto.digest(id_clean) if id_clean else "",
        "id_number_masked": mask_id_number(id_clean),
        "phone": number,
        "phone_digest": crypto.digest(number) if number else "",
        "phone_masked": mask_phone(number),
        "registration": registration,
        "relationship": relationship,
    }


def _audit_masks(r: Resident) -> dict:
    # The birth date is the hidden middle of the ID number: the audit log keeps the age band.
    return {"id_number": r.id_number_masked, "phone": r.phone_masked, "birth_date": r.age_band}


def _resident_snapshot(r: Resident) -> dict:
    snap = audit.snapshot(r, RESIDENT_AUDIT_FIELDS, masked=_audit_masks(r))
    snap["care_tags"] = sorted(t.code for t in r.care_tags.all()) if r.pk else []
    return snap


def _check_id_unique(fields: dict, exclude_pk: int | None = None) -> None:
    if fields["id_number_digest"]:
        clash = Resident.objects.filter(id_number_digest=fields["id_number_digest"]).exclude(pk=exclude_pk)
        if clash.exists():
            raise ValidationError({"id_number": _("该身份证号码已登记。")})


def resident_create(*, actor: User, household: Household, care_tags: Iterable[CareTag] = (), **fields) -> Resident:
    _require(access.can_edit(scope_for(actor), household))
    cleaned = clean_resident_fields(**fields)
    try:
        with transaction.atomic():
            _check_id_unique(cleaned)
            resident = Resident.objects.create(household=household, **cleaned)
            resident.care_tags.set(list(care_tags))
            audit.record(actor=actor, action="create", target=resident, changes=audit.diff({}, _resident_snapshot(resident)))
    except IntegrityError:
        # Two registrations of one ID number at the same moment: the database kept the first.
        raise ValidationError({"id_number": _("该身份证号码已登记。")}) from None
    return resident


def resident_update(
    *, actor: User, resident: Resident, care_tags: Iterable[CareTag] | None = None, household: Household | None = None, **changes
) -> Resident:
    _require(access.can_edit(scope_for(actor), resident))
    if household is not None and household.pk != resident.household_id:
        _require(access.can_edit(scope_for(actor), household))
    with transaction.atomic():
        resident = Resident.objects.select_for_update().select_related("household__dwelling").get(pk=resident.pk)
        before = _resident_snapshot(resident)
        current = {
            "name": resident.name,
            "gender": resident.gender,
            "id_number": resident.id_number,
            "phone": resident.phone,
            "birth_date": resident.birth_date,
            "registration": resident.registration,
            "relationship": resident.relationship,
        }
        if changes.get("id_number"):
            # A corrected ID number re-derives gender and birth date unless they are given too.
            current["gender"], current["birth_date"] = "", None
        unknown = set(changes) - set(current) - {"is_active"}
        if unknown:
            raise ValidationError(_("不能修改：%(f)s") % {"f": ", ".join(sorted(unknown))})
        is_active = changes.pop("is_active", resident.is_active)
        current.update(changes)
        cleaned = clean_resident_fields(**current)
        _check_id_unique(cleaned, exclude_pk=resident.pk)
        for field, value in cleaned.items():
            setattr(resident, field, value)
        resident.is_active = is_active
        if household is not None:
            resident.household = household
        resident.save()
        if care_tags is not None:
            resident.care_tags.set(list(care_tags))
        audit.record(actor=actor, action="update", target=resident, changes=audit.diff(before, _resident_snapshot(resident)))
    return resident


def resident_reveal(*, actor: User, resident: Resident, field: str) -> str:
    """Return an ID number or phone in full and log that this user saw it (not the value)."""
    if field not in access.REVEAL:
        raise ValidationError(_("不支持查看该字段。"))
    _require(access.can_reveal(scope_for(actor), resident, field))
    with transaction.atomic():
        audit.record(actor=actor, action="reveal", target=resident, note=field)
    return getattr(resident, field)


# A whole phone or ID number typed into search tells a masked-only role whether its guess of
# the hidden digits is right: such searches are counted per user and logged (never the value).
FULL_NUMBER_SEARCHES_PER_HOUR = 30


class SearchThrottled(PermissionDenied):
    """Too many whole-number searches in the last hour."""


def resident_search_record(*, actor: User, kind: str, results: int) -> None:
    """Audit one whole-number search (which field and how many hits), refusing beyond the limit."""
    from datetime import timedelta

    if kind not in access.REVEAL:
        raise ValidationError(_("不支持的检索类型。"))
    since = timezone.now() - timedelta(hours=1)
    with transaction.atomic():
        recent = AuditEntry.objects.filter(actor=actor, action=AuditEntry.Action.SEARCH, created_at__gte=since).count()
        if recent >= FULL_NUMBER_SEARCHES_PER_HOUR:
            raise SearchThrottled(_("按完整号码检索过于频繁，请一小时后再试。"))
        audit.record(actor=actor, action=AuditEntry.Action.SEARCH, target_type="registry.resident", note=f"{kind} results={results}")
