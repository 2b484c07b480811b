"""Every change to the registry: one function per action, keyword-only, in one transaction,
checking the actor's scope, writing the audit log (sensitive values masked)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from pypinyin import Style, lazy_pinyin

from linli.accounts.models import User
from linli.accounts.scope import scope_for
from linli.core import audit, crypto, idcard
from linli.core import phone as phone_rules
from linli.core.masking import mask_id_number, mask_phone
from linli.core.models import AuditEntry
from linli.registry import access
from linli.registry.models import (
    CHILD_KINDS,
    FOUR_LEVELS,
    PARTY_LEVEL_ANCHOR,
    PARTY_LEVEL_ORDER,
    CareTag,
    Facility,
    Grid,
    GridKind,
    Household,
    ImportJob,
    ManagementStatus,
    Organisation,
    PartyLevels,
    PartyOrganisation,
    PartyOrgKind,
    Place,
    PlaceKind,
    Registration,
    Relationship,
    Resident,
    party_child_kind,
    validate_grid_code,
)
from linli.registry.vocabulary import grid_family

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


def _require(allowed: bool) -> None:
    if not allowed:
        raise PermissionDenied(_("您无权在此范围内执行该操作。"))


# ---- places ------------------------------------------------------------------------


def place_create(
    *,
    actor: User,
    parent: Place | None,
    kind: str,
    name: str,
    code: str = "",
    management_status: str = "",
    floor_area: Decimal | None = None,
    use: str = "",
) -> Place:
    kind = PlaceKind(kind)
    if parent is None:
        if not actor.is_superuser:
            raise PermissionDenied(_("只有系统管理员可以新增区。"))
    else:
        _require(access.can_manage_places(scope_for(actor), parent))
    parent_kind = PlaceKind(parent.kind) if parent else None
    if kind not in CHILD_KINDS[parent_kind]:
        raise ValidationError({"kind": _("此处不能添加该类型的地点。")})
    fields = _place_fields(kind=kind, name=name, code=code, management_status=management_status, floor_area=floor_area, use=use)
    with transaction.atomic():
        if parent is not None:
            parent = Place.objects.select_for_update().get(pk=parent.pk)
        fields["grid_id"] = parent.grid_id if parent and kind in (PlaceKind.UNIT, PlaceKind.DWELLING) else None
        if kind == PlaceKind.COMMUNITY or parent is None or parent.kind in (PlaceKind.DISTRICT, PlaceKind.STREET):
            community_id = None
        else:
            community_id = parent.pk if parent.kind == PlaceKind.COMMUNITY else parent.community_id
        fields["community_id"] = community_id
        fields["address"] = place_address(parent, kind, fields["name"])
        place = Place.objects.add_root(fields) if parent is None else Place.objects.add_child(parent, fields)
        audit.record(actor=actor, action="create", target=place, changes=audit.diff({}, audit.snapshot(place, ("kind", "name", "code"))))
    return place


def place_address(parent: Place | None, kind: str, name: str) -> str:
    if kind in (PlaceKind.DISTRICT, PlaceKind.STREET, PlaceKind.COMMUNITY) or parent is None:
        return ""
    return f"{parent.address} {name}".strip() if parent.kind != PlaceKind.COMMUNITY else name


def _place_fields(*, kind, name, code, management_status, floor_area, use) -> dict:
    name = (name or "").strip()
    errors = {}
    if not name:
        errors["name"] = _("请填写名称。")
    if kind == PlaceKind.COMPOUND and management_status not in ManagementStatus.values:
        errors["management_status"] = _("请选择小区的管理状态。")
    if kind != PlaceKind.COMPOUND and management_status:
        errors["management_status"] = _("只有小区有管理状态。")
    if kind != PlaceKind.DWELLING and (floor_area is not None or use):
        errors["floor_area"] = _("只有房屋有面积和用途。")
    if floor_area is not None and floor_area < 0:
        errors["floor_area"] = _("面积不能为负数。")
    code_lengths = {PlaceKind.DISTRICT: 6, PlaceKind.STREET: 9, PlaceKind.COMMUNITY: 12}
    if code and kind in code_lengths and (len(code) != code_lengths[kind] or not code.isdigit()):
        errors["code"] = _("代码应为%(n)s位数字。") % {"n": code_lengths[kind]}
    if errors:
        raise ValidationError(errors)
    return {
        "kind": kind,
        "name": name,
        "code": code,
        "management_status": management_status,
        "floor_area": floor_area,
        "use": use,
    }


def place_update(*, actor: User, place: Place, **changes) -> Place:
    _require(access.can_manage_places(scope_for(actor), place))
    allowed = {"name", "code", "management_status", "floor_area", "use", "latitude", "longitude"}
    unknown = set(changes) - allowed
    if unknown:
        raise ValidationError(_("不能修改：%(f)s") % {"f": ", ".join(sorted(unknown))})
    with transaction.atomic():
        place = Place.objects.select_for_update().get(pk=place.pk)
        before = audit.snapshot(place, sorted(allowed))
        merged = {f: getattr(place, f) for f in ("name", "code", "management_status", "floor_area", "use")}
        merged.update({k: v for k, v in changes.items() if k in merged})
        _place_fields(kind=PlaceKind(place.kind), **merged)
        for field, value in changes.items():
            setattr(place, field, value)
        place.save(update_fields=list(changes))
        audit.record(actor=actor, action="update", target=place, changes=audit.diff(before, audit.snapshot(place, sorted(allowed))))
    return place


# ---- grids -------------------------------------------------------------------------


def grid_create(
    *, actor: User, community: Place, name: str, code: str, kind: str = "comprehensive", parent: Grid | None = None, description: str = ""
) -> Grid:
    _require(access.can_manage_places(scope_for(actor), community))
    errors = {}
    if community.kind != PlaceKind.COMMUNITY:
        errors["community"] = _("网格必须属于一个社区。")
    try:
        validate_grid_code(code)
    except ValidationError as e:
        errors["code"] = e.messages[0]
    else:
        if community.code and not code.startswith(community.code):
            errors["code"] = _("网格编码的前12位应与社区代码%(c)s一致。") % {"c": community.code}
        elif Grid.objects.filter(code=code).exists():
            errors["code"] = _("该网格编码已被使用。")
    if parent is not None and parent.community_id != community.pk:
        errors["parent"] = _("上级网格必须属于同一社区。")
    if not (name or "").strip():
        errors["name"] = _("请填写名称。")
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        grid = Grid.objects.create(community=community, name=name.strip(), code=code, kind=kind, parent=parent, description=description)
        audit.record(actor=actor, action="create", target=grid, changes=audit.diff({}, audit.snapshot(grid, ("name", "code", "kind"))))
    return grid


GRID_FIELDS = ("name", "kind", "description", "parent")


def grid_update(*, actor: User, grid: Grid, name: str, kind: str, description: str = "", parent: Grid | None = None) -> Grid:
    """Rename a grid, change its kind or make it a micro-grid of another (the code stays: it is
    the grid's identity in the city's system)."""
    _require(access.can_manage_places(scope_for(actor), grid.community))
    errors = {}
    if not (name or "").strip():
        errors["name"] = _("请填写名称。")
    if kind not in GridKind.values:
        errors["kind"] = _("类型无效。")
    if parent is not None and (parent.community_id != grid.community_id or parent.pk == grid.pk or parent.parent_id is not None):
        errors["parent"] = _("上级网格须是本社区的另一个网格（不能是微网格）。")
    if parent is not None and grid.micro_grids.exists():
        errors["parent"] = _("该网格下还有微网格，不能再设上级网格。")
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        grid = Grid.objects.select_for_update().get(pk=grid.pk)
        before = audit.snapshot(grid, GRID_FIELDS)
        grid.name, grid.kind, grid.description, grid.parent = name.strip()[:100], kind, (description or "").strip()[:200], parent
        grid.save(update_fields=["name", "kind", "description", "parent"])
        audit.record(actor=actor, action="update", target=grid, changes=audit.diff(before, audit.snapshot(grid, GRID_FIELDS)))
    return grid


def grid_assign_buildings(*, actor: User, grid: Grid, buildings: Iterable[Place]) -> int:
    """Put buildings (and their units and dwellings) under a grid. Returns the number of buildings moved."""
    buildings = list(buildings)
    _require(access.can_manage_places(scope_for(actor), grid.community))
    for b in buildings:
        if b.kind != PlaceKind.BUILDING or b.community_id != grid.community_id:
            raise ValidationError(_("只能把本社区的楼栋划入网格。"))
    with transaction.atomic():
        for b in buildings:
            old = b.grid_id
            Place.objects.filter(path__startswith=b.path).update(grid=grid)
            audit.record(actor=actor, action="update", target=b, changes={"grid_id": [old, grid.pk]})
    return len(buildings)


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


# ---- things and organisations ------------------------------------------------------


def facility_create(
    *, actor: User, place: Place, kind: str, name: str, status: str = "normal", responsible: Organisation | None = None
) -> Facility:
    _require(access.can_manage_places(scope_for(actor), place))
    facility = Facility(place=place, kind=kind, name=(name or "").strip(), status=status, responsible=responsible)
    facility.full_clean()
    with transaction.atomic():
        facility.save()
        audit.record(
            actor=actor, action="create", target=facility, changes=audit.diff({}, audit.snapshot(facility, ("kind", "name", "status")))
        )
    return facility


def facility_set_status(*, actor: User, facility: Facility, status: str) -> Facility:
    _require(access.can_manage_places(scope_for(actor), facility))
    with transaction.atomic():
        facility = Facility.objects.select_for_update().get(pk=facility.pk)
        old = facility.status
        facility.status = status
        facility.full_clean()
        facility.save(update_fields=["status"])
        audit.record(actor=actor, action="update", target=facility, changes={"status": [old, status]})
    return facility


ORGANISATION_FIELDS = ("kind", "name", "contact_name", "contact_phone", "address", "served_compounds")


def _organisation_fields(org: Organisation, compounds: list[Place], fields: dict) -> None:
    for k, v in fields.items():
        setattr(org, k, (v or "").strip() if isinstance(v, str) else v)
    org.full_clean(exclude=["served_compounds"])
    if any(c.kind != PlaceKind.COMPOUND for c in compounds):
        raise ValidationError({"served_compounds": _("服务对象必须是小区。")})
    if org.place.kind == PlaceKind.COMMUNITY and any(c.community_id != org.place_id for c in compounds):
        raise ValidationError({"served_compounds": _("只能选择本社区的小区。")})


def _organisation_snapshot(org: Organisation) -> dict:
    snap = audit.snapshot(org, ORGANISATION_FIELDS[:-1])
    snap["served_compounds"] = sorted(c.name for c in org.served_compounds.all()) if org.pk else []
    return snap


def organisation_create(
    *,
    actor: User,
    place: Place,
    kind: str,
    name: str,
    served_compounds: Iterable[Place] = (),
    contact_name: str = "",
    contact_phone: str = "",
    address: str = "",
) -> Organisation:
    _require(access.can_manage_places(scope_for(actor), place))
    org = Organisation(place=place)
    compounds = list(served_compounds)
    _organisation_fields(
        org, compounds, {"kind": kind, "name": name, "contact_name": contact_name, "contact_phone": contact_phone, "address": address}
    )
    with transaction.atomic():
        org.save()
        org.served_compounds.set(compounds)
        audit.record(actor=actor, action="create", target=org, changes=audit.diff({}, _organisation_snapshot(org)))
    return org


def organisation_update(*, actor: User, organisation: Organisation, served_compounds: Iterable[Place], **fields) -> Organisation:
    """Change an organisation's name, contact or the compounds it serves (a property company's
    staff see appeals of the compounds it serves, so this is audited)."""
    _require(access.can_manage_places(scope_for(actor), organisation.place))
    unknown = set(fields) - set(ORGANISATION_FIELDS)
    if unknown:
        raise ValidationError(_("不能修改：%(f)s") % {"f": ", ".join(sorted(unknown))})
    compounds = list(served_compounds)
    with transaction.atomic():
        org = Organisation.objects.select_for_update().select_related("place").get(pk=organisation.pk)
        before = _organisation_snapshot(org)
        _organisation_fields(org, compounds, fields)
        org.save()
        org.served_compounds.set(compounds)
        audit.record(actor=actor, action="update", target=org, changes=audit.diff(before, _organisation_snapshot(org)))
    return org


def party_levels(community: Place) -> list[str]:
    """The levels a community's party tree uses (the four-level form unless it chose others)."""
    row = PartyLevels.objects.filter(community=community).first()
    return list(row.levels) if row and row.levels else list(FOUR_LEVELS)


def party_levels_save(*, actor: User, community: Place, levels: Iterable[str]) -> list[str]:
    _require(community.kind == PlaceKind.COMMUNITY and access.can_manage_places(scope_for(actor), community))
    chosen = [k for k in PARTY_LEVEL_ORDER if k in set(levels)]
    if set(levels) - set(PARTY_LEVEL_ORDER):
        raise ValidationError({"levels": _("层级无效。")})
    if PartyOrgKind.COMMITTEE not in chosen:
        raise ValidationError({"levels": _("社区党委一级不能省略。")})
    with transaction.atomic():
        old = party_levels(community)
        PartyLevels.objects.update_or_create(community=community, defaults={"levels": chosen})
        audit.record(actor=actor, action="update", target=community, changes={"party_levels": [old, chosen]})
    return chosen


def _party_anchor(kind: str, community: Place, *, grid, compound, building, household) -> dict:
    """Each level is attached to its own thing in the community: a grid, a compound, a building,
    a household."""
    need = PARTY_LEVEL_ANCHOR[kind]
    given = {"grid": grid, "compound": compound, "building": building, "household": household}
    errors = {}
    if need in given and given[need] is None:
        errors[need] = _("请选择所属对象。")
    if grid is not None and grid.community_id != community.pk:
        errors["grid"] = _("网格不属于该社区。")
    for field, place, place_kind in (("compound", compound, PlaceKind.COMPOUND), ("building", building, PlaceKind.BUILDING)):
        if place is not None and (place.kind != place_kind or place.community_id != community.pk):
            errors[field] = _("所选地点不属于该社区。")
    if household is not None and household.dwelling.community_id != community.pk:
        errors["household"] = _("家庭户不属于该社区。")
    if errors:
        raise ValidationError(errors)
    return given


def party_organisation_create(
    *,
    actor: User,
    parent: PartyOrganisation | None,
    kind: str,
    name: str,
    community: Place,
    grid: Grid | None = None,
    compound: Place | None = None,
    building: Place | None = None,
    household: Household | None = None,
    secretary: Resident | None = None,
) -> PartyOrganisation:
    """A node of the party tree, at the level that follows its parent's in the community's
    levels. A street party committee belongs to the street (created by whoever manages it)."""
    if kind == PartyOrgKind.STREET_COMMITTEE:
        _require(community.kind == PlaceKind.STREET and access.can_manage_places(scope_for(actor), community))
        if parent is not None:
            raise ValidationError({"kind": _("党组织层级不正确。")})
    else:
        _require(community.kind == PlaceKind.COMMUNITY and access.can_manage_places(scope_for(actor), community))
        levels = party_levels(community)
        expected = party_child_kind(levels, parent.kind if parent else None)
        # A community's committee may hang under its street's committee, or stand as a root.
        root_committee = parent is None and kind == PartyOrgKind.COMMITTEE
        if kind != expected and not root_committee:
            raise ValidationError({"kind": _("党组织层级不正确。")})
        if parent is not None and not (
            parent.community_id == community.pk
            or (parent.kind == PartyOrgKind.STREET_COMMITTEE and community.path.startswith(parent.community.path))
        ):
            raise ValidationError({"parent": _("上级党组织不属于该社区。")})
    if not (name or "").strip():
        raise ValidationError({"name": _("请填写名称。")})
    anchors = _party_anchor(kind, community, grid=grid, compound=compound, building=building, household=household)
    if secretary is not None and secretary.household.dwelling.community_id != community.pk:
        raise ValidationError({"secretary": _("书记须是本社区居民。")})
    fields = {"kind": kind, "name": name.strip()[:100], "community": community, "secretary": secretary, **anchors}
    with transaction.atomic():
        node = (
            PartyOrganisation.objects.add_root(fields)
            if parent is None
            else PartyOrganisation.objects.add_child(PartyOrganisation.objects.get(pk=parent.pk), fields)
        )
        audit.record(actor=actor, action="create", target=node, changes={"name": [None, node.name], "kind": [None, kind]})
    return node


def party_organisation_update(*, actor: User, node: PartyOrganisation, name: str, secretary: Resident | None = None) -> PartyOrganisation:
    _require(access.can_manage_places(scope_for(actor), node.community))
    if not (name or "").strip():
        raise ValidationError({"name": _("请填写名称。")})
    if (
        secretary is not None
        and node.community.kind == PlaceKind.COMMUNITY
        and secretary.household.dwelling.community_id != node.community_id
    ):
        raise ValidationError({"secretary": _("书记须是本社区居民。")})
    with transaction.atomic():
        node = PartyOrganisation.objects.select_for_update().get(pk=node.pk)
        before = audit.snapshot(node, ("name", "secretary"))
        node.name, node.secretary = name.strip()[:100], secretary
        node.save(update_fields=["name", "secretary"])
        audit.record(actor=actor, action="update", target=node, changes=audit.diff(before, audit.snapshot(node, ("name", "secretary"))))
    return node


def party_organisation_delete(*, actor: User, node: PartyOrganisation) -> None:
    """Remove a node that has nothing under it (a branch with groups is emptied first)."""
    _require(access.can_manage_places(scope_for(actor), node.community))
    with transaction.atomic():
        node = PartyOrganisation.objects.select_for_update().get(pk=node.pk)
        if PartyOrganisation.objects.get_children_count(node):
            raise ValidationError(_("请先删除下级党组织。"))
        audit.record(actor=actor, action="delete", target=node, changes={"name": [node.name, None], "kind": [node.kind, None]})
        node.delete()


# ---- Excel import --------------------------------------------------------------------


def import_job_create(*, actor: User, community: Place, upload) -> ImportJob:
    """Store the uploaded file and queue its import. Nothing is read here: the worker does it."""
    from django.conf import settings

    from linli.registry.tasks import run_import

    _require(access.can_import(scope_for(actor), community))
    if not upload.name.lower().endswith(".xlsx"):
        raise ValidationError({"file": _("请上传 .xlsx 格式的文件。")})
    if upload.size > settings.LINLI_IMPORT_MAX_BYTES:
        raise ValidationError({"file": _("文件过大。")})
    with transaction.atomic():
        job = ImportJob.objects.create(community=community, created_by=actor, file=upload, original_name=upload.name[:200])
        transaction.on_commit(lambda: run_import.enqueue(job.pk))
    return job


def _progress(job: ImportJob, **fields) -> None:
    # Outside the import's transaction, so the progress page sees it while the file is read.
    ImportJob.objects.filter(pk=job.pk).update(**fields)
    for k, v in fields.items():
        setattr(job, k, v)


def import_job_run(*, job_id: int) -> ImportJob:
    """Validate every row, then import all of them in one transaction, or none."""
    job = ImportJob.objects.select_related("community", "created_by").get(pk=job_id)
    claimed = ImportJob.objects.filter(pk=job.pk, status=ImportJob.Status.PENDING).update(status=ImportJob.Status.VALIDATING)
    if not claimed:
        return job  # another worker has it, or it already ran
    job.status = ImportJob.Status.VALIDATING
    try:
        return _import_job_process(job)
    finally:
        # The sheet holds full ID numbers and phones: it is not kept once read, whatever the outcome.
        import_file_discard(job=job)


def import_file_discard(*, job: ImportJob) -> None:
    if job.file:
        job.file.delete(save=False)
    ImportJob.objects.filter(pk=job.pk).update(file="")


def _import_job_process(job: ImportJob) -> ImportJob:
    from linli.registry import excel

    try:
        plan = _import_validate(job, excel)
        if job.errors:
            _progress(job, status=ImportJob.Status.INVALID, finished_at=timezone.now())
            return job
        _progress(job, status=ImportJob.Status.IMPORTING)
        created, updated = _import_write(job, plan)
        _progress(job, status=ImportJob.Status.DONE, created_count=created, updated_count=updated, finished_at=timezone.now())
    except ValidationError as e:
        _progress(
            job,
            status=ImportJob.Status.INVALID,
            errors=[{"row": 0, "column": "", "message": m} for m in e.messages],
            finished_at=timezone.now(),
        )
    except Exception:
        _progress(
            job,
            status=ImportJob.Status.FAILED,
            errors=[{"row": 0, "column": "", "message": _("导入时发生系统错误，未导入任何数据。")}],
            finished_at=timezone.now(),
        )
        raise
    return job


MAX_REPORTED_ERRORS = 2000


def _import_validate(job: ImportJob, excel) -> dict:
    community = job.community
    actor = job.created_by
    with job.file.open("rb") as fh:
        total, rows = excel.read_rows(fh)
        _progress(job, total_rows=total, processed_rows=0)
        choices = excel.ChoiceReader()
        units = {p.address: p for p in Place.objects.filter(community=community, kind=PlaceKind.UNIT)}
        dwellings = {p.address: p for p in Place.objects.filter(community=community, kind=PlaceKind.DWELLING)}
        tags = {t.name: t for t in CareTag.objects.all()} | {t.code: t for t in CareTag.objects.all()}
        households = {
            h.number: h for h in Household.objects.filter(dwelling__community=community).exclude(number="").select_related("dwelling")
        }
        scope = scope_for(actor)
        errors: list[dict] = []
        planned: list[dict] = []
        seen_ids: dict[str, int] = {}
        household_address: dict[str, str] = {}
        labels = {k: str(h) for k, h, _r in excel.COLUMNS}

        def err(row, key, msgid, **params):
            """Each error keeps its message id, column key and values, so the page shows it in
            the reader's language (``registry_tags.import_error``); ``message`` is the text now."""
            if len(errors) < MAX_REPORTED_ERRORS:
                errors.append(
                    {
                        "row": row,
                        "key": key,
                        "column": labels.get(key, key),
                        "msg": str(msgid),
                        "params": {k: str(v) for k, v in params.items()},
                        "message": _(str(msgid)) % params if params else _(str(msgid)),
                    }
                )

        count = 0
        for parsed in rows:
            count += 1
            v = parsed.values
            row = parsed.row
            for key, _h, required in excel.COLUMNS:
                if required and not v.get(key):
                    err(row, key, gettext_noop("必填"))
                elif key not in ("phone", "id_number") and excel.looks_like_formula(v.get(key, "")):
                    # Imported text is exported again: a formula would run in the next reader's Excel.
                    err(row, key, gettext_noop("不能以 = + - @ 开头（疑似公式），请粘贴为数值后再导入"))
            relationship = choices.relationship_of(v.get("relationship", ""))
            if v.get("relationship") and relationship is None:
                err(row, "relationship", gettext_noop("无法识别：%(v)s"), v=v["relationship"])
            registration = choices.registration_of(v.get("registration", ""))
            if v.get("registration") and registration is None:
                err(row, "registration", gettext_noop("无法识别：%(v)s"), v=v["registration"])
            gender = choices.gender_of(v.get("gender", ""))
            if v.get("gender") and not gender:
                err(row, "gender", gettext_noop("无法识别：%(v)s"), v=v["gender"])
            row_tags = []
            for name in [t.strip() for t in v.get("care_tags", "").replace("，", ",").replace("、", ",").split(",") if t.strip()]:
                if name in tags:
                    row_tags.append(tags[name])
                else:
                    err(row, "care_tags", gettext_noop("未知的关怀标签：%(v)s"), v=name)
            unit_address = " ".join(v.get(k, "") for k in ("compound", "building", "unit"))
            address = f"{unit_address} {v.get('room', '')}"
            if all(v.get(k) for k in ("compound", "building", "unit", "room")):
                if address not in dwellings and unit_address not in units:
                    err(row, "unit", gettext_noop("地点树中没有该单元：%(v)s"), v=unit_address)
            hh = v.get("household", "")
            if hh:
                first = household_address.setdefault(hh, address)
                if first != address:
                    err(row, "household", gettext_noop("同一户号%(h)s出现在不同房屋。"), h=hh)
                elif hh in households and households[hh].dwelling.address != address:
                    err(row, "household", gettext_noop("户号%(h)s已登记在%(a)s。"), h=hh, a=households[hh].dwelling.address)
            cleaned = None
            if v.get("name") and relationship and registration:
                try:
                    cleaned = clean_resident_fields(
                        name=v["name"],
                        gender=gender,
                        id_number=v.get("id_number", ""),
                        phone=v.get("phone", ""),
                        registration=registration,
                        relationship=relationship,
                    )
                except ValidationError as e:
                    for key, messages in e.message_dict.items():
                        err(row, key, messages[0])
            if cleaned and cleaned["id_number_digest"]:
                earlier = seen_ids.setdefault(cleaned["id_number_digest"], row)
                if earlier != row:
                    err(row, "id_number", gettext_noop("与第%(r)s行的身份证号码重复。"), r=earlier)
            if cleaned:
                planned.append(
                    {
                        "row": row,
                        "fields": cleaned,
                        "tags": row_tags,
                        "household": hh,
                        "address": address,
                        "unit_address": unit_address,
                        "room": v.get("room", ""),
                    }
                )
            if count % 500 == 0:
                _progress(job, processed_rows=count)
        if count == 0:
            err(0, "", gettext_noop("文件中没有数据行。"))
        # Existing residents matched by ID number: update if in scope, refuse otherwise.
        digests = [p["fields"]["id_number_digest"] for p in planned if p["fields"]["id_number_digest"]]
        existing: dict[str, Resident] = {}
        for i in range(0, len(digests), 900):
            for r in Resident.objects.filter(id_number_digest__in=digests[i : i + 900]).select_related("household__dwelling"):
                existing[r.id_number_digest] = r
        for p in planned:
            r = existing.get(p["fields"]["id_number_digest"])
            if r is not None and not access.can_edit(scope, r):
                err(p["row"], "id_number", gettext_noop("该身份证号码已在您管辖范围之外登记，请联系所在社区。"))
            p["existing"] = r
        errors.sort(key=lambda e: e["row"])
        _progress(job, processed_rows=count, total_rows=count, errors=errors)
    return {"planned": planned, "units": units, "dwellings": dwellings, "households": households}


def _import_write(job: ImportJob, plan: dict) -> tuple[int, int]:
    actor = job.created_by
    created = updated = 0
    with transaction.atomic():
        dwellings = plan["dwellings"]
        households = plan["households"]
        for p in plan["planned"]:
            if p["address"] not in dwellings:
                unit = Place.objects.get(pk=plan["units"][p["unit_address"]].pk)
                dwellings[p["address"]] = place_create(actor=actor, parent=unit, kind=PlaceKind.DWELLING, name=p["room"])
            dwelling = dwellings[p["address"]]
            hh = p["household"]
            if hh not in households:
                households[hh] = Household.objects.create(dwelling=dwelling, number=hh)
        new_residents, tag_rows, entries = [], [], []
        for p in plan["planned"]:
            household = households[p["household"]]
            existing = p["existing"]
            if existing is None:
                new_residents.append((Resident(household=household, **p["fields"]), p["tags"]))
            else:
                resident_update(
                    actor=actor,
                    resident=existing,
                    household=household,
                    care_tags=p["tags"],
                    **{k: p["fields"][k] for k in ("name", "gender", "id_number", "phone", "registration", "relationship")},
                )
                updated += 1
        made = Resident.objects.bulk_create([r for r, _t in new_residents], batch_size=1000)
        through = Resident.care_tags.through
        for resident, (_r, tags) in zip(made, new_residents, strict=True):
            tag_rows.extend(through(resident_id=resident.pk, caretag_id=t.pk) for t in tags)
            entries.append(
                AuditEntry(
                    actor=actor,
                    action="create",
                    target_type="registry.resident",
                    target_id=str(resident.pk),
                    target_label=resident.audit_label,
                    note=f"import #{job.pk}",
                    changes=audit.diff(
                        {},
                        audit.snapshot(resident, RESIDENT_AUDIT_FIELDS, masked=_audit_masks(resident)),
                    ),
                )
            )
        through.objects.bulk_create(tag_rows, batch_size=2000)
        AuditEntry.objects.bulk_create(entries, batch_size=1000)
        created = len(made)
        audit.record(actor=actor, action="import", target=job, note=f"created={created} updated={updated}")
    return created, updated


# ---- Excel export --------------------------------------------------------------------


def residents_export(*, actor: User, grid: Grid | None = None) -> tuple[bytes, int]:
    """The residents the actor may export, as the import template lays them out.

    ID numbers and phones are in full only where the actor may reveal them; the export itself
    is one audit entry (how many rows, never which values).
    """
    from linli.core.replica import reporting
    from linli.registry import excel

    scope = scope_for(actor)
    if not access.can_export(scope, grid):
        raise PermissionDenied(_("您无权导出。"))
    qs = access.export_rows(scope).filter(is_active=True)
    if grid is not None:
        qs = qs.filter(household__dwelling__grid_id__in=grid_family(grid))
    qs = qs.select_related("household__dwelling").prefetch_related("care_tags").order_by("household__dwelling__path", "household_id", "id")
    count = 0
    full_ids = 0

    def rows():
        nonlocal count, full_ids
        for r in qs.iterator(chunk_size=2000):
            count += 1
            parts = ([*r.household.dwelling.address.rsplit(" ", 3), "", "", "", ""])[:4]
            reveal_id = access.can_reveal(scope, r, "id_number")
            reveal_phone = access.can_reveal(scope, r, "phone")
            show_care = access.can_see_care(scope, r)
            full_ids += reveal_id
            yield [
                r.household.number,
                *parts,
                r.name,
                r.get_gender_display(),
                r.id_number if reveal_id else r.id_number_masked,
                r.phone if reveal_phone else r.phone_masked,
                r.get_relationship_display(),
                r.get_registration_display(),
                "，".join(t.name for t in r.care_tags.all() if show_care or not t.sensitive),
            ]

    with reporting():  # the rows may come from the replica; the audit entry goes to the primary
        content = excel.export_workbook(rows())
    with transaction.atomic():
        audit.record(
            actor=actor,
            action="export",
            target_type="registry.resident",
            target_id=f"grid:{grid.pk}" if grid else "",
            note=f"rows={count} unmasked_ids={full_ids}",
        )
    return content, count
