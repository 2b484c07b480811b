"""Things and organisations (物、组织): facilities, property companies and partner units with the compounds they serve, the party organisation tree."""

from __future__ import annotations

from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from linli.accounts.models import User
from linli.accounts.scope import scope_for
from linli.core import audit
from linli.registry import access
from linli.registry.models import (
    FOUR_LEVELS,
    PARTY_LEVEL_ANCHOR,
    PARTY_LEVEL_ORDER,
    Facility,
    Grid,
    Household,
    Organisation,
    PartyLevels,
    PartyOrganisation,
    PartyOrgKind,
    Place,
    PlaceKind,
    Resident,
    party_child_kind,
)
from linli.registry.services.common import _require

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
