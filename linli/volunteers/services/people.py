"""Teams and volunteers: registration, review (``VOLUNTEER_TRANSITIONS``), team membership and leaders."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from linli.accounts.models import User
from linli.accounts.scope import scope_for
from linli.core import audit
from linli.core.errors import checked_choices as _choices
from linli.core.notify import notify
from linli.registry.models import Organisation, Place
from linli.volunteers import access
from linli.volunteers.models import (
    Availability,
    Membership,
    Skill,
    Team,
    Volunteer,
    VolunteerStatus,
)
from linli.volunteers.services.common import InvalidState

VS = VolunteerStatus
VOLUNTEER_TRANSITIONS = {
    "approve": ({VS.PENDING, VS.REJECTED}, VS.ACTIVE),
    "reject": ({VS.PENDING}, VS.REJECTED),
    "suspend": ({VS.ACTIVE}, VS.SUSPENDED),
    "reinstate": ({VS.SUSPENDED}, VS.ACTIVE),
}


# ---- teams and volunteers ------------------------------------------------------------------------


def team_create(*, actor: User, community: Place, name: str, description: str = "", organisation: Organisation | None = None) -> Team:
    access.require(access.can_manage(scope_for(actor), community))
    name = (name or "").strip()
    if not name:
        raise ValidationError({"name": _("请填写队名。")})
    if Team.objects.filter(community=community, name=name).exists():
        raise ValidationError({"name": _("本社区已有同名的志愿服务队。")})
    with transaction.atomic():
        team = Team.objects.create(community=community, name=name[:60], description=(description or "")[:200], organisation=organisation)
        audit.record(actor=actor, action="create", target=team)
    return team


def volunteer_register(
    *, actor: User, skills: list[str], availability: list[str], introduction: str = "", team: Team | None = None
) -> Volunteer:
    """A resident (or a partner unit's staff) registers; staff approve before they serve.
    Registering twice returns the first registration."""
    existing = Volunteer.objects.filter(user=actor).first()
    if existing is not None:
        return existing
    community = access.home_community_for_volunteering(actor)
    access.require(community is not None, _("请先以本社区居民或共建单位人员身份登录。"))
    errors = {}
    skills = _choices(skills, Skill.values, "skills", errors)
    availability = _choices(availability, Availability.values, "availability", errors)
    if not skills:
        errors["skills"] = _("请至少选择一项技能或特长。")
    if team is not None and team.community_id != community.pk:
        errors["team"] = _("该服务队不属于您的社区。")
    if errors:
        raise ValidationError(errors)
    resident = actor.resident if actor.resident_id else None
    organisation = None
    if resident is None:
        organisation = access.buyer_units(scope_for(actor)).filter(place=community).first()
    name = resident.name if resident else (actor.display_name or actor.username)
    try:
        with transaction.atomic():
            volunteer = Volunteer.objects.create(
                user=actor,
                community=community,
                resident=resident,
                organisation=organisation,
                name=name[:50],
                skills=skills,
                availability=availability,
                introduction=(introduction or "").strip()[:200],
            )
            if team is not None:
                Membership.objects.create(team=team, volunteer=volunteer)
            audit.record(actor=actor, action="create", target=volunteer)
    except IntegrityError:  # the same person's second submit, at the same moment
        return Volunteer.objects.get(user=actor)
    access.forget_volunteer(actor)
    return volunteer


def volunteer_review(*, actor: User, volunteer: Volunteer, action: str, note: str = "") -> Volunteer:
    """Approve, reject, suspend or reinstate; the volunteer is told."""
    if action not in VOLUNTEER_TRANSITIONS:
        raise ValidationError({"action": _("无效的操作。")})
    if action in {"reject", "suspend"} and not (note or "").strip():
        raise ValidationError({"note": _("请说明理由。")})
    sources, target = VOLUNTEER_TRANSITIONS[action]
    with transaction.atomic():
        locked = Volunteer.objects.select_for_update().select_related("community").get(pk=volunteer.pk)
        access.require(access.can_review(scope_for(actor), locked))
        if locked.status not in sources:
            raise InvalidState(_("志愿者当前状态为“%(s)s”，不能执行该操作。") % {"s": locked.get_status_display()})
        before = locked.status
        locked.status = target
        locked.status_note = (note or "").strip()[:200]
        locked.reviewed_at = timezone.now()
        locked.save(update_fields=["status", "status_note", "reviewed_at"])
        audit.record(actor=actor, action="update", target=locked, changes={"status": [before, target]}, note=action)
        notify(
            [locked.user],
            subject=_("志愿者注册：%(s)s") % {"s": locked.get_status_display()},
            body=_("您的志愿者身份现为“%(s)s”。%(n)s") % {"s": locked.get_status_display(), "n": locked.status_note},
            link=reverse("volunteers:home"),
        )
    return locked


def membership_set(*, actor: User, volunteer: Volunteer, team: Team, leader: bool = False) -> Membership:
    access.require(access.can_manage(scope_for(actor), team.community))
    if volunteer.community_id != team.community_id:
        raise ValidationError({"team": _("志愿者与服务队不在同一社区。")})
    with transaction.atomic():
        membership, created = Membership.objects.update_or_create(team=team, volunteer=volunteer, defaults={"leader": leader})
        audit.record(actor=actor, action="create" if created else "update", target=volunteer, note=f"{team.name} leader={leader}")
    return membership


def membership_remove(*, actor: User, volunteer: Volunteer, team: Team) -> None:
    access.require(access.can_manage(scope_for(actor), team.community))
    with transaction.atomic():
        Membership.objects.filter(team=team, volunteer=volunteer).delete()
        audit.record(actor=actor, action="delete", target=volunteer, note=team.name)
