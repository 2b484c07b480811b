"""The place tree (district → … → dwelling) and the grids over it."""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from linli.accounts.models import User
from linli.accounts.scope import scope_for
from linli.core import audit
from linli.registry import access
from linli.registry.models import (
    CHILD_KINDS,
    Grid,
    GridKind,
    ManagementStatus,
    Place,
    PlaceKind,
    validate_grid_code,
)
from linli.registry.services.common import _require

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
