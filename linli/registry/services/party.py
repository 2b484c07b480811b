"""Party life on the party tree: cross-appointment (双向进入、交叉任职) between the community's party
organisation and the property company or owners' committee, and the branches' 三会一课 records.
Who may: those who keep the community's party tree (``access.can_manage_places``)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from linli.accounts.models import User
from linli.accounts.scope import scope_for
from linli.core import audit
from linli.core.errors import required_text
from linli.registry import access
from linli.registry.models import (
    BranchMeeting,
    BranchMeetingKind,
    CrossAppointment,
    Organisation,
    PartyOrganisation,
    Place,
    PlaceKind,
    Resident,
)
from linli.registry.services.common import _require

CROSS_KINDS = (Organisation.Kind.PROPERTY_COMPANY, Organisation.Kind.OWNERS_COMMITTEE)


def _community_of(node: PartyOrganisation) -> Place:
    return node.community


def cross_appointment_add(
    *,
    actor: User,
    party_organisation: PartyOrganisation,
    party_post: str,
    organisation: Organisation,
    organisation_post: str,
    name: str,
    resident: Resident | None = None,
    started_on: date | None = None,
) -> CrossAppointment:
    community = _community_of(party_organisation)
    _require(community.kind == PlaceKind.COMMUNITY and access.can_manage_places(scope_for(actor), community))
    errors = {}
    if organisation.kind not in CROSS_KINDS:
        errors["organisation"] = _("交叉任职的单位须为物业公司或业主委员会。")
    elif organisation.place_id != community.pk:
        errors["organisation"] = _("单位须为本社区的物业公司或业主委员会。")
    if resident is not None and resident.household.dwelling.community_id != community.pk:
        errors["resident"] = _("居民须为本社区居民。")
    started_on = started_on or timezone.localdate()
    if started_on > timezone.localdate():
        errors["started_on"] = _("任职日期不能晚于今天。")
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        appointment = CrossAppointment.objects.create(
            community=community,
            party_organisation=party_organisation,
            party_post=required_text(party_post, "party_post", 30, _("请填写党组织职务。")),
            organisation=organisation,
            organisation_post=required_text(organisation_post, "organisation_post", 30, _("请填写单位职务。")),
            name=required_text(name, "name", 50, _("请填写姓名。")),
            resident=resident,
            started_on=started_on,
        )
        audit.record(actor=actor, action="create", target=appointment, note=f"{party_organisation.pk} {organisation.pk}")
    return appointment


def cross_appointment_end(*, actor: User, appointment: CrossAppointment, ended_on: date | None = None) -> CrossAppointment:
    _require(access.can_manage_places(scope_for(actor), appointment.community))
    ended_on = ended_on or timezone.localdate()
    if ended_on < appointment.started_on:
        raise ValidationError({"ended_on": _("卸任日期不能早于任职日期。")})
    with transaction.atomic():
        if not CrossAppointment.objects.filter(pk=appointment.pk, ended_on__isnull=True).update(ended_on=ended_on):
            raise ValidationError(_("已卸任。"))
        audit.record(actor=actor, action="update", target=appointment, changes={"ended_on": [None, ended_on.isoformat()]})
    appointment.refresh_from_db()
    return appointment


def branch_meeting_record(
    *,
    actor: User,
    party_organisation: PartyOrganisation,
    kind: str,
    held_at,
    topics: str,
    attendees: Iterable[Resident] = (),
    expected: int = 0,
    location: str = "",
    lecturer: str = "",
) -> BranchMeeting:
    """三会一课: a meeting or lesson held, with its topics and who came (party members of the
    community); a lesson names who gave it."""
    community = _community_of(party_organisation)
    _require(community.kind == PlaceKind.COMMUNITY and access.can_manage_places(scope_for(actor), community))
    attendees = list(dict.fromkeys(attendees))
    errors = {}
    if kind not in BranchMeetingKind.values:
        errors["kind"] = _("请选择类型。")
    if held_at > timezone.now():
        errors["held_at"] = _("只能记录已召开的会议。")
    if kind == BranchMeetingKind.LESSON and not (lecturer or "").strip():
        errors["lecturer"] = _("党课请填写授课人。")
    ids = [r.pk for r in attendees]
    if ids and Resident.objects.filter(pk__in=ids, household__dwelling__community=community).count() != len(ids):
        errors["attendees"] = _("到会党员须为本社区居民。")
    if not isinstance(expected, int) or expected < len(attendees) or expected > 10000:
        errors["expected"] = _("应到人数不能少于实到人数。")
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        meeting = BranchMeeting.objects.create(
            party_organisation=party_organisation,
            kind=kind,
            held_at=held_at,
            topics=required_text(topics, "topics", 2000, _("请填写议题或内容。")),
            location=(location or "").strip()[:100],
            lecturer=(lecturer or "").strip()[:50],
            expected=expected,
            recorded_by=actor,
        )
        meeting.attendees.set(attendees)
        audit.record(actor=actor, action="create", target=meeting, note=f"{kind} {len(attendees)}/{expected}")
    return meeting
