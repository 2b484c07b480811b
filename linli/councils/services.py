"""Every change in a council: one function per action, in a transaction, checking who may
(``access``: managers, participants, voters, and what each step of the procedure allows)."""

from __future__ import annotations

import secrets
from collections.abc import Iterable
from datetime import date, timedelta
from fractions import Fraction

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Sum
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from linli.accounts.models import User
from linli.accounts.scope import scope_for
from linli.core import audit
from linli.councils import access, notifications
from linli.councils.models import (
    RULE_LABELS,
    Attendance,
    Ballot,
    Council,
    CouncilRule,
    Meeting,
    Member,
    Option,
    Resolution,
    ResolutionUpdate,
    Topic,
    TopicRecord,
    TopicSupport,
    Vote,
)
from linli.councils.voting import Choice, OwnerWeight, Rule, tally_members, tally_owners
from linli.registry.models import Ownership, Place, PlaceKind

# The rules of a vote, as people say them on every page (a code never reaches a page).
RULE_CHOICES = [(r.value, RULE_LABELS[r]) for r in Rule]

MEMBER_RULES = {Rule.MAJORITY, Rule.TWO_THIRDS}
OWNER_RULES = {Rule.OWNERS, Rule.OWNERS_SPECIAL}


class InvalidStep(ValidationError):
    pass


# ---- who ------------------------------------------------------------------------------------


def _require_manager(actor: User, council: Council) -> None:
    access.require(access.is_manager(scope_for(actor), actor, council))


def _record(topic: Topic, actor, action: str, note: str = "", at=None) -> None:
    TopicRecord.objects.create(topic=topic, step=topic.step, action=action, actor=actor, note=note, created_at=at or timezone.now())


# ---- councils and members ---------------------------------------------------------------


def council_create(
    *,
    actor: User,
    community: Place,
    name: str,
    kind: str = Council.Kind.RESIDENTS,
    compound: Place | None = None,
    support_threshold: int = 10,
    steps: list[str] | None = None,
) -> Council:
    if community.kind != PlaceKind.COMMUNITY or not access.can_create_council(scope_for(actor), community):
        raise PermissionDenied(_("只有社区工作人员可以设立议事会。"))
    if compound is not None and (compound.kind != PlaceKind.COMPOUND or compound.community_id != community.pk):
        raise ValidationError({"compound": _("小区不属于该社区。")})
    if not (name or "").strip():
        raise ValidationError({"name": _("请填写名称。")})
    if support_threshold < 1:
        raise ValidationError({"support_threshold": _("附议人数至少为1。")})
    if kind not in Council.Kind.values:
        raise ValidationError({"kind": _("类型无效。")})
    access.validate_steps(steps)
    with transaction.atomic():
        council = Council.objects.create(
            community=community,
            compound=compound,
            name=name.strip()[:100],
            kind=kind,
            support_threshold=support_threshold,
            steps=steps or [],
        )
        audit.record(actor=actor, action="create", target=council, changes={"name": [None, council.name], "kind": [None, kind]})
    return council


def council_rule_save(*, actor: User, community: Place, comment_days: int, deliberate_days: int) -> CouncilRule:
    """A community's minimum step durations, for all its councils (audited with old and new)."""
    if community.kind != PlaceKind.COMMUNITY or not access.can_create_council(scope_for(actor), community):
        raise PermissionDenied(_("只有社区工作人员可以设置议事程序时限。"))
    errors = {}
    for field, value, low in (("comment_days", comment_days, 1), ("deliberate_days", deliberate_days, 0)):
        if not isinstance(value, int) or isinstance(value, bool) or not low <= value <= 60:
            errors[field] = _("应为%(low)s–60天。") % {"low": low}
    if errors:
        raise ValidationError(errors)
    fields = ("comment_days", "deliberate_days")
    with transaction.atomic():
        rule, _created = CouncilRule.objects.select_for_update().get_or_create(community=community)
        before = audit.snapshot(rule, fields)
        rule.comment_days, rule.deliberate_days = comment_days, deliberate_days
        rule.save()
        audit.record(actor=actor, action="update", target=rule, changes=audit.diff(before, audit.snapshot(rule, fields)))
    return rule


def member_add(*, actor: User, council: Council, name: str, role: str, user: User | None = None) -> Member:
    _require_manager(actor, council)
    if role not in Member.Role.values:
        raise ValidationError({"role": _("身份无效。")})
    if not (name or "").strip() and user is None:
        raise ValidationError({"name": _("请填写姓名。")})
    try:
        with transaction.atomic():
            member = Member.objects.create(
                council=council, user=user, name=(name or "").strip()[:50] or str(user), role=role, sign_in_code=secrets.token_hex(4)
            )
            audit.record(actor=actor, action="create", target=member, changes={"name": [None, member.name], "role": [None, role]})
            return member
    except IntegrityError:
        raise ValidationError({"user": _("该用户已是成员。")}) from None


def member_remove(*, actor: User, member: Member) -> None:
    """A member leaves the council; their ballots and sign-ins stay (they were cast)."""
    _require_manager(actor, member.council)
    with transaction.atomic():
        updated = Member.objects.filter(pk=member.pk, left_at__isnull=True).update(left_at=timezone.now())
        if not updated:
            raise ValidationError(_("该成员已退出。"))
        audit.record(actor=actor, action="delete", target=member, changes={"name": [member.name, None], "role": [member.role, None]})


# ---- topics -------------------------------------------------------------------------------


def topic_propose(
    *, actor: User, council: Council, title: str, description: str = "", source: str = Topic.Source.RESIDENT, now=None
) -> Topic:
    """A topic raised by a resident or staff; ``now`` is when (the demo's history passes its own)."""
    now = now or timezone.now()
    if source not in Topic.Source.values:
        raise ValidationError({"source": _("来源无效。")})
    access.require(access.can_propose(scope_for(actor), actor, council, source), _("只有本社区居民和工作人员可以提出议题。"))
    title = (title or "").strip()
    if not title or len(title) > 100:
        raise ValidationError({"title": _("请用100字以内写下议题。")})
    with transaction.atomic():
        topic = Topic.objects.create(
            council=council,
            title=title,
            description=(description or "").strip(),
            source=source,
            proposer=actor,
            created_at=now,
            step_entered_at=now,
        )
        _record(topic, actor, "propose", at=now)
    return topic


def topic_from_appeals(*, actor: User, council: Council, appeals: Iterable, title: str, description: str = "") -> Topic:
    """ "Raise to council" in one step: an appeal, or a cluster of similar appeals at one place."""
    appeals = list(appeals)
    _require_manager(actor, council)
    if not appeals or not all(access.may_take_up(council, a) for a in appeals):
        raise ValidationError({"appeals": _("请选择本议事会范围内、尚未办结的诉求。")})
    with transaction.atomic():
        topic = Topic.objects.create(
            council=council,
            title=(title or appeals[0].title).strip()[:100],
            description=description,
            source=Topic.Source.APPEAL,
            proposer=actor,
        )
        topic.appeals.set(appeals)
        _record(topic, actor, "propose", ", ".join(a.number for a in appeals))
        # Each appeal's timeline says where it went, through the appeals' own service.
        from linli.appeals import services as appeal_services

        for a in appeals:
            appeal_services.appeal_raised_to_council(actor=actor, appeal=a, topic=topic)
    return topic


def topic_support(*, actor: User, topic: Topic) -> bool:
    """Add support; when enough residents support a proposed topic it goes on the agenda."""
    if topic.status != Topic.Status.OPEN:
        raise InvalidStep(_("议题已结束。"))
    access.require(access.can_support(scope_for(actor), actor, topic), _("只有本社区居民可以附议。"))
    with transaction.atomic():
        locked = Topic.objects.select_for_update().get(pk=topic.pk)
        _s, created = TopicSupport.objects.get_or_create(topic=locked, user=actor)
        if created and locked.step == "collect" and locked.supports.count() >= locked.council.support_threshold:
            locked.step, locked.step_entered_at = locked.council.procedure[1], timezone.now()
            locked.save(update_fields=["step", "step_entered_at"])
            _record(locked, None, "accept", _("附议人数达到%(n)s人，列入议程。") % {"n": locked.council.support_threshold})
    return created


def topic_advance(*, actor: User, topic: Topic, note: str = "", now=None) -> Topic:
    """Move to the next step of the council's procedure, recording who did it; a step with a
    minimum duration (``CouncilRule``: 会前公示 5 days) is left only when it has passed. ``now``
    is when it happens (the demo's history and tests' clocks pass their own)."""
    now = now or timezone.now()
    with transaction.atomic():
        locked = Topic.objects.select_for_update().select_related("council").get(pk=topic.pk)
        _require_manager(actor, locked.council)
        steps = locked.council.procedure
        if not access.can_advance(scope_for(actor), actor, locked):
            raise InvalidStep(_("议题已在最后一步。"))
        nxt = steps[steps.index(locked.step) + 1]
        if nxt == "implement" and not hasattr(locked, "resolution"):
            raise InvalidStep(_("请先发布决议。"))
        if locked.step == "decide" and not locked.votes.filter(status=Vote.Status.CLOSED).exists():
            raise InvalidStep(_("请先完成表决。"))
        rule = CouncilRule.for_community(locked.council.community_id)
        if not rule.may_advance(locked, now):
            raise InvalidStep(
                _("%(step)s不少于%(days)s天，%(date)s后可进入下一步。")
                % {
                    "step": locked.step_label,
                    "days": rule.min_days(locked.step),
                    "date": formats.date_format(timezone.localtime(rule.earliest_advance(locked)), "SHORT_DATETIME_FORMAT"),
                }
            )
        locked.step, locked.step_entered_at = nxt, now
        locked.save(update_fields=["step", "step_entered_at"])
        _record(locked, actor, "advance", note, at=now)
    return locked


def topic_comment(*, actor: User, topic: Topic, text: str) -> TopicRecord:
    access.require(access.is_participant(scope_for(actor), actor, topic.council))
    if not access.step_allows(topic, "comment"):
        raise InvalidStep(_("当前不在征求意见阶段。"))
    if not (text or "").strip():
        raise ValidationError({"text": _("请写下意见。")})
    return TopicRecord.objects.create(topic=topic, step=topic.step, action="comment", actor=actor, note=text.strip()[:1000])


def option_add(*, actor: User, topic: Topic, title: str, description: str = "") -> Option:
    _require_manager(actor, topic.council)
    if not access.step_allows(topic, "option"):
        raise InvalidStep(_("当前步骤不能添加方案。"))
    if not (title or "").strip():
        raise ValidationError({"title": _("请填写方案。")})
    with transaction.atomic():
        option = Option.objects.create(topic=topic, title=title.strip()[:100], description=description)
        _record(topic, actor, "option", option.title)
    return option


# ---- meetings -----------------------------------------------------------------------------


def meeting_schedule(
    *, actor: User, council: Council, kind: str, title: str, scheduled_at, location: str = "", topics: Iterable[Topic] = ()
) -> Meeting:
    _require_manager(actor, council)
    topics = list(topics)
    if any(t.council_id != council.pk for t in topics):
        raise ValidationError({"topics": _("议题不属于该议事会。")})
    if kind not in Meeting.Kind.values:
        raise ValidationError({"kind": _("会议类型无效。")})
    if not (title or "").strip():
        raise ValidationError({"title": _("请填写会议名称。")})
    if scheduled_at is None:
        raise ValidationError({"scheduled_at": _("请填写会议时间。")})
    if timezone.is_naive(scheduled_at):
        scheduled_at = timezone.make_aware(scheduled_at)
    with transaction.atomic():
        meeting = Meeting.objects.create(
            council=council, kind=kind, title=title.strip(), scheduled_at=scheduled_at, location=(location or "").strip()
        )
        meeting.topics.set(topics)
    return meeting


def meeting_sign_in(*, actor: User, meeting: Meeting, member: Member | None = None, code: str = "") -> Attendance:
    """A member signs in with the code at the door (QR), or staff tick a member who has no phone."""
    if member is None:
        member = (
            meeting.council.members.filter(user=actor).first() if not code else meeting.council.members.filter(sign_in_code=code).first()
        )
        if member is None or (member.user_id and member.user_id != actor.pk):
            raise PermissionDenied(_("您不是该议事会成员。"))
        method = Attendance.Method.QR
    else:
        _require_manager(actor, meeting.council)
        if member.council_id != meeting.council_id:
            raise ValidationError({"member": _("不是该议事会成员。")})
        method = Attendance.Method.STAFF
    attendance, _created = Attendance.objects.get_or_create(
        meeting=meeting, member=member, defaults={"method": method, "recorded_by": actor}
    )
    return attendance


def meeting_record(*, actor: User, meeting: Meeting, minutes: str, present: Iterable[Member] = ()) -> Meeting:
    """Staff write the minutes and tick the members present without phones, in one transaction."""
    _require_manager(actor, meeting.council)
    present = list(present)
    if any(m.council_id != meeting.council_id for m in present):
        raise ValidationError({"present": _("不是该议事会成员。")})
    with transaction.atomic():
        if (minutes or "").strip():
            meeting = meeting_minutes(actor=actor, meeting=meeting, minutes=minutes)
        for member in present:
            meeting_sign_in(actor=actor, meeting=meeting, member=member)
    return meeting


def meeting_minutes(*, actor: User, meeting: Meeting, minutes: str) -> Meeting:
    _require_manager(actor, meeting.council)
    meeting.minutes = (minutes or "").strip()
    meeting.held_at = meeting.held_at or timezone.now()
    meeting.save(update_fields=["minutes", "held_at"])
    return meeting


# ---- votes ----------------------------------------------------------------------------------


def vote_open(
    *,
    actor: User,
    topic: Topic,
    rule: str,
    option: Option | None = None,
    meeting: Meeting | None = None,
    compound: Place | None = None,
    secret: bool = False,
    closes_at=None,
) -> Vote:
    _require_manager(actor, topic.council)
    try:
        rule = Rule(rule)
    except ValueError:
        raise ValidationError({"rule": _("表决规则无效。")}) from None
    if not access.step_allows(topic, "vote_open"):
        raise InvalidStep(_("议题进入表决步骤后才能投票。"))
    if option is not None and option.topic_id != topic.pk:
        raise ValidationError({"option": _("方案不属于该议题。")})
    if rule in MEMBER_RULES and meeting is None:
        raise ValidationError({"meeting": _("按到会成员表决须指定会议。")})
    if rule in OWNER_RULES:
        compound = compound or topic.council.compound
        if compound is None or compound.kind != PlaceKind.COMPOUND or compound.community_id != topic.council.community_id:
            raise ValidationError({"compound": _("业主表决须指定本社区的小区。")})
    with transaction.atomic():
        vote = Vote.objects.create(
            topic=topic, option=option, meeting=meeting, rule=rule, compound=compound, secret=secret, closes_at=closes_at
        )
        # The record is read by people: the rule in words, not its code.
        _record(topic, actor, "vote_open", " · ".join(str(x) for x in (option and option.title, vote.rule_label) if x))
        notifications.vote_opened(vote, actor=actor)
    return vote


def voter_key_for(user: User, vote: Vote) -> str | None:
    """The eligible voter this user is in this vote, or None."""
    if vote.rule in MEMBER_RULES:
        member = vote.topic.council.members.filter(user=user).first()
        if member and vote.meeting.attendance.filter(member=member).exists():
            return f"m{member.pk}"
        return None
    if user.resident_id and user.resident.id_number_digest:
        key = user.resident.id_number_digest
        if Ownership.objects.filter(owner_key=key, dwelling__path__startswith=vote.compound.path).exists():
            return key
    return None


def paper_voter_key(vote: Vote, *, member: Member | None = None, dwelling: Place | None = None) -> str:
    """Who a paper ballot is for, as staff pick them: a member present (members' votes) or a
    dwelling of the compound (owners' votes: its owner of record)."""
    if vote.rule in MEMBER_RULES:
        if member is None or member.council_id != vote.topic.council_id:
            raise ValidationError({"member": _("请选择到会成员。")})
        return f"m{member.pk}"
    ownership = Ownership.objects.filter(dwelling=dwelling, dwelling__path__startswith=vote.compound.path).first() if dwelling else None
    if ownership is None:
        raise ValidationError({"dwelling": _("请选择本小区有产权登记的房屋。")})
    return ownership.owner_key


def paper_dwellings(vote: Vote) -> list[str]:
    """The dwellings of the compound with an owner of record, for staff picking a paper ballot."""
    return list(
        Ownership.objects.filter(dwelling__path__startswith=vote.compound.path)
        .order_by("dwelling__path")
        .values_list("dwelling__address", flat=True)
    )


def ballot_cast(*, actor: User, vote: Vote, choice: str, voter_key: str | None = None) -> Ballot:
    """One ballot per eligible voter, enforced by the database; a second raises ValidationError.
    Staff may record a paper ballot for a named voter (``voter_key``, see ``paper_voter_key``)."""
    if choice not in {c.value for c in Choice}:
        raise ValidationError({"choice": _("请选择赞成、反对或弃权。")})
    if vote.status != Vote.Status.OPEN or (vote.closes_at and vote.closes_at < timezone.now()):
        raise InvalidStep(_("表决已结束。"))
    if voter_key is None:
        voter_key = voter_key_for(actor, vote)
        if voter_key is None:
            raise PermissionDenied(_("您不在本次表决的投票人之列。"))
        user = actor
    else:
        access.require(access.can_record_paper_ballot(scope_for(actor), actor, vote))
        if not _eligible_key(vote, voter_key):
            raise ValidationError({"voter_key": _("不在投票人之列。")})
        user = None
    try:
        with transaction.atomic():
            return Ballot.objects.create(
                vote=vote, voter_key=voter_key, choice=choice, user=None if vote.secret else user, recorded_by=actor
            )
    except IntegrityError:
        raise ValidationError({"choice": _("您已经投过票了。")}, code="duplicate") from None


def _eligible_key(vote: Vote, key: str) -> bool:
    if vote.rule in MEMBER_RULES:
        return key.startswith("m") and key[1:].isdigit() and vote.meeting.attendance.filter(member_id=int(key[1:])).exists()
    return Ownership.objects.filter(owner_key=key, dwelling__path__startswith=vote.compound.path).exists()


def owner_weights(compound: Place) -> list[OwnerWeight]:
    """One entry per owner: the sum of their dwellings' exclusive areas (one query)."""
    rows = (
        Ownership.objects.filter(dwelling__path__startswith=compound.path, dwelling__kind=PlaceKind.DWELLING)
        .values("owner_key")
        .annotate(area=Sum("dwelling__floor_area"))
        .order_by()
    )
    return [OwnerWeight(owner=r["owner_key"], area=r["area"] or 0) for r in rows]


def vote_tally(vote: Vote):
    ballots = dict(vote.ballots.values_list("voter_key", "choice"))
    if vote.rule in OWNER_RULES:
        return tally_owners(rule=Rule(vote.rule), eligible=owner_weights(vote.compound), ballots=ballots)
    members = vote.topic.council.members.count()
    present = vote.meeting.attendance.count()
    return tally_members(
        rule=Rule(vote.rule),
        members=members,
        present=present,
        votes=ballots.values(),
        quorum=Fraction(vote.topic.council.quorum_percent, 100),
    )


def vote_close(*, actor: User | None, vote: Vote) -> Vote:
    """Close and tally at once; the arithmetic is stored and shown."""
    with transaction.atomic():
        locked = Vote.objects.select_for_update(of=("self",)).select_related("topic__council", "compound", "meeting").get(pk=vote.pk)
        if actor is not None:
            _require_manager(actor, locked.topic.council)
        if locked.status != Vote.Status.OPEN:
            raise InvalidStep(_("表决已结束。"))
        result = vote_tally(locked)
        locked.status, locked.closed_at = Vote.Status.CLOSED, timezone.now()
        locked.passed, locked.result_lines, locked.figures = result.passed, result.lines, result.figures
        locked.save()
        _record(locked.topic, actor, "vote_close", "\n".join(locked.result_text))
    return locked


# ---- resolutions ------------------------------------------------------------------------------


def resolution_publish(
    *, actor: User, topic: Topic, vote: Vote, decision: str, responsible: str, due_on: date, notice_days: int = 7
) -> Resolution:
    """Publish the decision (公示), resting on a closed vote of the topic, and resolve the appeals
    it answers — by the council's authority, through the appeals' own service (a convener who
    is a resident may publish it). A vote that failed can only be recorded as not adopted
    (``adopted`` follows the vote); the council may instead open a new round."""
    _require_manager(actor, topic.council)
    if not (decision or "").strip() or not (responsible or "").strip():
        raise ValidationError({"decision": _("请写明决议和责任方。")})
    if not isinstance(notice_days, int) or not 1 <= notice_days <= 30:
        raise ValidationError({"notice_days": _("公示期为1–30天。")})
    if not isinstance(due_on, date):
        raise ValidationError({"due_on": _("请填写完成期限。")})
    if vote is None or vote.topic_id != topic.pk or vote.status != Vote.Status.CLOSED:
        raise ValidationError({"vote": _("决议须依据本议题已计票的表决。")})
    from linli.appeals import services as appeal_services

    with transaction.atomic():
        locked = Topic.objects.select_for_update().get(pk=topic.pk)
        if locked.step != "decide" or hasattr(locked, "resolution"):
            raise InvalidStep(_("议题须处于表决步骤，且尚未发布决议。"))
        resolution = Resolution.objects.create(
            topic=locked,
            vote=vote,
            adopted=bool(vote.passed),
            decision=decision.strip(),
            responsible=responsible.strip(),
            due_on=due_on,
            notice_until=timezone.localdate() + timedelta(days=notice_days),
        )
        for appeal in locked.appeals.all():
            if appeal.can("council_resolve"):
                appeal_services.appeal_resolve_by_council(actor=actor, appeal=appeal, resolution=resolution)
        if "implement" in locked.council.procedure and locked.step != "implement":
            locked.step, locked.step_entered_at = "implement", timezone.now()
        locked.save(update_fields=["step", "step_entered_at"])
        _record(locked, actor, "resolution", resolution.decision)
        notifications.resolution_published(resolution, actor=actor)
    return resolution


def resolution_done_by_project(*, actor: User, resolution: Resolution, project) -> Resolution:
    """A project carried out under the resolution has passed acceptance: the resolution is done.
    The authority is the project (``project.resolution``), not the actor's council rights."""
    from linli.accounts.scope import require

    require(project.resolution_id == resolution.pk and project.status == "accepted")
    with transaction.atomic():
        ResolutionUpdate.objects.create(resolution=resolution, actor=actor, note=_("项目“%(p)s”已通过验收。") % {"p": project.title})
        Resolution.objects.filter(pk=resolution.pk).update(status=Resolution.Status.DONE, done_at=timezone.now())
        Topic.objects.filter(pk=resolution.topic_id).update(status=Topic.Status.DONE)
    resolution.refresh_from_db()
    return resolution


def resolution_progress(*, actor: User, resolution: Resolution, note: str, done: bool = False) -> Resolution:
    _require_manager(actor, resolution.topic.council)
    if not (note or "").strip():
        raise ValidationError({"note": _("请填写进展。")})
    with transaction.atomic():
        ResolutionUpdate.objects.create(resolution=resolution, actor=actor, note=note.strip())
        resolution.status = Resolution.Status.DONE if done else Resolution.Status.IMPLEMENTING
        resolution.done_at = timezone.now() if done else None
        resolution.save(update_fields=["status", "done_at"])
        if done:
            Topic.objects.filter(pk=resolution.topic_id).update(status=Topic.Status.DONE)
    return resolution
