"""Every change in grid work: one function per action, one transaction, the right checked by
``access``, an audit row for every structure change.

Time in the compounds: a patrol's seconds are credited to ``PatrolTime`` per compound and day
(Asia/Shanghai, split at midnight) when it ends. A worker has at most one open patrol (a
database constraint); starting another ends the first. A patrol left open ends itself after the
community's cap (``patrols_close_forgotten``, run by the deadline scan) and earns time only if
the community counts such patrols.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, timedelta
from decimal import Decimal, InvalidOperation
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from linli.accounts.models import Role, User
from linli.accounts.scope import scope_for
from linli.core import audit
from linli.gridwork import access, notifications, selectors
from linli.gridwork.models import (
    DEFAULTS,
    SENTIMENT_TOPICS,
    Finding,
    GridworkRule,
    Mood,
    Patrol,
    PatrolTime,
    Round,
    RoundContact,
    SentimentRecord,
    StewardLink,
    SupportingForce,
    Visit,
    VisitFrequency,
    VisitOverdueAlert,
    split_by_day,
)
from linli.registry import addresses
from linli.registry.models import CareTag, Grid, Household, Place, PlaceKind, Resident
from linli.registry.vocabulary import compound_path


def _tz():
    return ZoneInfo(settings.TIME_ZONE)


def _coordinate(value, low, high, field):
    if value in (None, ""):
        return None
    try:
        number = Decimal(str(value)).quantize(Decimal("0.000001"))
    except (InvalidOperation, ValueError):
        raise ValidationError({field: _("坐标无效。")}) from None
    if not low <= number <= high:
        raise ValidationError({field: _("坐标无效。")})
    return number


# ---- patrols ----------------------------------------------------------------------------------------


def _credit(patrol: Patrol, start: datetime, end: datetime) -> None:
    for day, seconds in split_by_day(start, end):
        row, _created = PatrolTime.objects.get_or_create(
            worker_id=patrol.worker_id, compound_id=patrol.compound_id, day=day, defaults={"grid_id": patrol.grid_id}
        )
        PatrolTime.objects.filter(pk=row.pk).update(seconds=F("seconds") + seconds)


def patrol_start(*, actor: User, compound: Place, latitude=None, longitude=None, by_qr: bool = False, now=None) -> Patrol:
    """Start patrolling a compound of one's grid; an open patrol elsewhere ends now."""
    now = now or timezone.now()
    scope = scope_for(actor)
    grid = access.patrol_grid_for(scope, compound)
    access.require(grid is not None, _("只能在本网格的小区巡查。"))
    lat = _coordinate(latitude, -90, 90, "latitude")
    lng = _coordinate(longitude, -180, 180, "longitude")
    try:
        with transaction.atomic():
            for open_patrol in Patrol.objects.select_for_update().filter(worker=actor, ended_at__isnull=True):
                _end(open_patrol, now, note=open_patrol.note)
            return Patrol.objects.create(
                worker=actor, grid=grid, compound=compound, started_at=now, by_qr=by_qr, start_latitude=lat, start_longitude=lng
            )
    except IntegrityError:
        # Two starts at the same moment from two devices: the other one is the open patrol.
        raise ValidationError(_("您已有一个进行中的巡查。")) from None


def _end(patrol: Patrol, moment: datetime, *, note: str = "", lat=None, lng=None, auto: bool = False) -> bool:
    """End it if it is still open (a conditional update: the worker and the scan never both do)."""
    ended = Patrol.objects.filter(pk=patrol.pk, ended_at__isnull=True).update(
        ended_at=moment, auto_closed=auto, note=note[:500], end_latitude=lat, end_longitude=lng
    )
    if not ended:
        return False
    if not auto or GridworkRule.for_community(patrol.compound.community_id).count_auto_closed:
        _credit(patrol, patrol.started_at, moment)
    return True


def patrol_end(*, actor: User, patrol: Patrol, note: str = "", latitude=None, longitude=None, now=None) -> Patrol:
    now = now or timezone.now()
    access.require(access.can_end_patrol(scope_for(actor), actor, patrol), _("只能结束自己的巡查。"))
    if patrol.ended_at is not None:
        raise ValidationError(_("巡查已经结束。"))
    lat = _coordinate(latitude, -90, 90, "latitude")
    lng = _coordinate(longitude, -180, 180, "longitude")
    cap = timedelta(minutes=GridworkRule.for_community(patrol.compound.community_id).auto_close_minutes)
    with transaction.atomic():
        moment = min(now, patrol.started_at + cap)  # past the cap it would have ended itself
        if not _end(patrol, moment, note=(note or "").strip(), lat=lat, lng=lng, auto=moment < now):
            raise ValidationError(_("巡查已经结束。"))
    patrol.refresh_from_db()
    return patrol


def patrols_close_forgotten(*, now=None) -> int:
    """Open patrols past their community's cap end themselves (marked auto-closed)."""
    now = now or timezone.now()
    closed = 0
    candidates = Patrol.objects.filter(ended_at__isnull=True, started_at__lt=now - timedelta(minutes=15)).select_related("compound")
    for patrol in list(candidates[:1000]):
        cap = timedelta(minutes=GridworkRule.for_community(patrol.compound.community_id).auto_close_minutes)
        if patrol.started_at + cap <= now:
            with transaction.atomic():
                closed += _end(patrol, patrol.started_at + cap, note=patrol.note, auto=True)
    return closed


# ---- visits, 民情, findings ---------------------------------------------------------------------------


def visit_record(
    *,
    actor: User,
    household: Household,
    kind: str = Visit.Kind.HOME,
    content: str = "",
    needs: str = "",
    follow_up: str = "",
    people_met: Iterable[Resident] = (),
    visited_at=None,
    patrol: Patrol | None = None,
) -> Visit:
    access.require(access.can_record_visit(scope_for(actor), actor, household), _("您不能为该家庭户登记走访。"))
    if kind not in Visit.Kind.values:
        raise ValidationError({"kind": _("走访方式无效。")})
    people = list(people_met)
    if any(r.household_id != household.pk for r in people):
        raise ValidationError({"people_met": _("见到的人须是该户成员。")})
    content, needs, follow_up = (content or "").strip(), (needs or "").strip(), (follow_up or "").strip()
    if not content:
        raise ValidationError({"content": _("请写下走访情况。")})
    visited_at = visited_at or timezone.now()
    if visited_at > timezone.now() + timedelta(minutes=5):
        raise ValidationError({"visited_at": _("走访时间不能晚于现在。")})
    if patrol is not None and patrol.worker_id != actor.pk:
        raise ValidationError({"patrol": _("不是您的巡查。")})
    with transaction.atomic():
        visit = Visit.objects.create(
            household=household,
            worker=actor,
            grid_id=household.dwelling.grid_id,
            kind=kind,
            visited_at=visited_at,
            content=content[:4000],
            needs=needs[:2000],
            follow_up=follow_up[:2000],
            patrol=patrol,
        )
        visit.people_met.set(people)
    return visit


def sentiment_record(
    *,
    actor: User,
    note: str,
    household: Household | None = None,
    place: Place | None = None,
    topics: Iterable[str] = (),
    mood: str = Mood.NEUTRAL,
    follow_up_needed: bool = False,
    patrol: Patrol | None = None,
    visit: Visit | None = None,
) -> SentimentRecord:
    """民情记录: a household's or a compound's mood and matters, noted on the spot."""
    scope = scope_for(actor)
    if household is None and place is None:
        raise ValidationError({"place": _("请选择家庭户或地点。")})
    access.require(access.can_record_sentiment(scope, actor, place=place, household=household))
    topics = list(dict.fromkeys(topics))
    if any(t not in SENTIMENT_TOPICS for t in topics):
        raise ValidationError({"topics": _("话题无效。")})
    if mood not in Mood.values:
        raise ValidationError({"mood": _("情绪无效。")})
    note = (note or "").strip()
    if not note:
        raise ValidationError({"note": _("请写下民情记录。")})
    where = household.dwelling if household is not None else place
    grid_id = where.grid_id
    if grid_id is None:  # a compound: the grid it is patrolled for, else the first grid of its buildings
        patrol_grid = access.patrol_grid_for(scope, where)
        grid_id = patrol_grid.pk if patrol_grid else None
    if grid_id is None:
        grid_id = Place.objects.filter(path__startswith=where.path, grid__isnull=False).values_list("grid_id", flat=True).first()
    if grid_id is None:
        raise ValidationError({"place": _("该地点不属于任何网格。")})
    with transaction.atomic():
        return SentimentRecord.objects.create(
            grid_id=grid_id,
            household=household,
            place=where,
            worker=actor,
            topics=topics,
            mood=mood,
            note=note[:2000],
            follow_up_needed=bool(follow_up_needed),
            patrol=patrol,
            visit=visit,
        )


def _finding(*, actor, kind, patrol, visit, **target) -> Finding:
    if patrol is not None and patrol.worker_id != actor.pk:
        raise ValidationError({"patrol": _("不是您的巡查。")})
    if visit is not None and visit.worker_id != actor.pk:
        raise ValidationError({"visit": _("不是您的走访。")})
    return Finding.objects.create(kind=kind, worker=actor, patrol=patrol, visit=visit, **target)


def finding_place(*, description: str, place: Place | None, within: Place, confirm_place: bool = False) -> Place:
    """The place of a 随手记: the one chosen, or the one the description names when none was
    chosen or when it lies inside the one chosen; a chosen place that disagrees with the typed address (another building, another
    compound) is refused until the worker confirms it."""
    candidates = Place.objects.filter(
        community_id=within.community_id or within.pk, kind__in=[PlaceKind.COMPOUND, PlaceKind.BUILDING, PlaceKind.UNIT]
    ).only("pk", "path", "kind", "name", "address", "community_id")
    named = addresses.place_named_in(description, candidates, home_compound_path=compound_path(within.path))
    if place is None:
        if named is None:
            raise ValidationError({"place": _("请选择地点，或在描述中写明小区、楼栋、单元。")})
        return named
    if named is not None and named.path.startswith(place.path) and named.pk != place.pk:
        return named  # the compound was left as it came from the poster; the text is more precise
    if not confirm_place and not addresses.agree(place, named):
        raise ValidationError(
            {
                "place": _("描述中写的是“%(named)s”，与所选地点“%(chosen)s”不一致。请改选地点，或勾选“地点无误”后再保存。")
                % {"named": named.address or named.name, "chosen": place.address or place.name}
            }
        )
    return place


def finding_appeal(
    *,
    actor: User,
    place: Place | None,
    description: str,
    reporter_name: str = "",
    contact_phone: str = "",
    photos: Iterable = (),
    patrol: Patrol | None = None,
    visit: Visit | None = None,
    idempotency_key: str | None = None,
    confirm_place: bool = False,
):
    """随手记 from a patrol or visit: an appeal recorded for the residents, through the appeals'
    own service (which checks the worker may record there). The place is checked against the
    address typed in the description (``finding_place``); a resident's phone, when given, gets
    the tracking link by SMS (the appeals' own notification)."""
    within = patrol.compound if patrol else (visit.household.dwelling if visit else place)
    if within is not None:
        place = finding_place(description=description, place=place, within=within, confirm_place=confirm_place)
    elif place is None:
        raise ValidationError({"place": _("请选择地点。")})
    from linli.appeals import services as appeal_services
    from linli.appeals.models import Channel

    with transaction.atomic():
        appeal, created = appeal_services.appeal_submit(
            actor=actor,
            place=place,
            title="",
            description=description,
            channel=Channel.GRID_WORKER,
            reporter_name=reporter_name,
            contact_phone=contact_phone,
            photos=photos,
            idempotency_key=idempotency_key,
        )
        if created:
            _finding(actor=actor, kind=Finding.Kind.APPEAL, patrol=patrol, visit=visit, appeal=appeal)
    return appeal


def finding_topic(*, actor: User, council, title: str, description: str = "", patrol: Patrol | None = None, visit: Visit | None = None):
    """A council topic from the grid (source 网格发现), through the councils' own service."""
    from linli.councils import services as council_services
    from linli.councils.models import Topic

    with transaction.atomic():
        topic = council_services.topic_propose(actor=actor, council=council, title=title, description=description, source=Topic.Source.GRID)
        _finding(actor=actor, kind=Finding.Kind.TOPIC, patrol=patrol, visit=visit, topic=topic)
    return topic


def finding_wish(*, actor: User, resident: Resident, kind: str, title: str, description: str = "", patrol=None, visit=None):
    """A micro-wish on a resident's behalf, through the wishes' own service."""
    from linli.wishes import services as wish_services

    with transaction.atomic():
        wish = wish_services.wish_post(actor=actor, resident=resident, kind=kind, title=title, description=description)
        _finding(actor=actor, kind=Finding.Kind.WISH, patrol=patrol, visit=visit, wish=wish)
    return wish


def finding_order(*, actor: User, service, resident: Resident, description: str, patrol=None, visit=None, **options):
    """A service order (点单) on a resident's behalf from a patrol or visit, through the
    services' own service (which checks the worker may order for them)."""
    from linli.resident_services.models import OrderChannel
    from linli.resident_services.services import order_create

    with transaction.atomic():
        order, created = order_create(
            actor=actor, service=service, resident=resident, description=description, channel=OrderChannel.VISIT, **options
        )
        if created:
            _finding(actor=actor, kind=Finding.Kind.ORDER, patrol=patrol, visit=visit, order=order)
    return order


def finding_sentiment(*, actor: User, patrol: Patrol | None = None, visit: Visit | None = None, **fields) -> SentimentRecord:
    with transaction.atomic():
        record = sentiment_record(actor=actor, patrol=patrol, visit=visit, **fields)
        _finding(actor=actor, kind=Finding.Kind.SENTIMENT, patrol=patrol, visit=visit, sentiment=record)
    return record


# ---- rounds ----------------------------------------------------------------------------------------------


def _clean_questions(questions) -> list[dict]:
    if not isinstance(questions, list) or len(questions) > 30:
        raise ValidationError({"questions": _("问题格式无效。")})
    out = []
    for q in questions:
        if not isinstance(q, dict) or not str(q.get("text", "")).strip():
            raise ValidationError({"questions": _("每个问题都要有题目。")})
        options = [str(o).strip()[:50] for o in q.get("options", []) if str(o).strip()]
        if len(options) < 2 or len(options) > 10:
            raise ValidationError({"questions": _("每个问题须有2–10个选项。")})
        out.append({"text": str(q["text"]).strip()[:200], "options": options})
    return out


def round_create(
    *,
    actor: User,
    community: Place,
    kind: str,
    title: str,
    grids: Iterable[Grid],
    starts_on: date,
    ends_on: date,
    theme: str = "",
    questions=(),
) -> Round:
    access.require(access.can_manage_rounds(scope_for(actor), community))
    grids = list(grids)
    errors = {}
    if kind not in Round.Kind.values:
        errors["kind"] = _("类型无效。")
    if not (title or "").strip():
        errors["title"] = _("请填写名称。")
    if not grids or any(g.community_id != community.pk for g in grids):
        errors["grids"] = _("请选择本社区的网格。")
    if not isinstance(starts_on, date) or not isinstance(ends_on, date) or ends_on < starts_on:
        errors["ends_on"] = _("结束日期不能早于开始日期。")
    if errors:
        raise ValidationError(errors)
    cleaned = _clean_questions(list(questions)) if kind == Round.Kind.SURVEY else []
    if kind == Round.Kind.SURVEY and not cleaned:
        raise ValidationError({"questions": _("问卷至少要有一个问题。")})
    with transaction.atomic():
        rnd = Round.objects.create(
            community=community,
            kind=kind,
            title=title.strip()[:100],
            theme=(theme or "").strip()[:100],
            questions=cleaned,
            starts_on=starts_on,
            ends_on=ends_on,
            created_by=actor,
        )
        rnd.grids.set(grids)
        audit.record(actor=actor, action="create", target=rnd, changes={"title": [None, rnd.title], "kind": [None, kind]})
    return rnd


def round_contact(*, actor: User, round: Round, household: Household, answers: dict | None = None, note: str = "") -> RoundContact:
    """One household reached in a round (once), with its answers (question → option)."""
    access.require(access.can_record_contact(scope_for(actor), actor, round, household), _("该户不在您本轮的走访范围内。"))
    today = timezone.localdate()
    if not round.starts_on <= today <= round.ends_on:
        raise ValidationError(_("本轮走访不在进行中。"))
    answers = answers or {}
    clean = {}
    if round.kind == Round.Kind.SURVEY:
        for i, q in enumerate(round.questions):
            value = answers.get(str(i), answers.get(i))
            try:
                index = int(value)
            except (TypeError, ValueError):
                raise ValidationError({f"q{i}": _("请回答：%(q)s") % {"q": q["text"]}}) from None
            if not 0 <= index < len(q["options"]):
                raise ValidationError({f"q{i}": _("选项无效。")})
            clean[str(i)] = index
    try:
        with transaction.atomic():
            return RoundContact.objects.create(
                round=round, household=household, grid_id=household.dwelling.grid_id, worker=actor, answers=clean, note=(note or "")[:200]
            )
    except IntegrityError:
        raise ValidationError(_("该户本轮已登记。")) from None


# ---- rules, stewards, supporting forces (structure: audited) ------------------------------------------------


RULE_FIELDS = ("min_minutes_per_day", "working_days_only", "auto_close_minutes", "count_auto_closed")


def rule_save(*, actor: User, community: Place, **fields) -> GridworkRule:
    access.require(access.can_manage_structure(scope_for(actor), community))
    unknown = set(fields) - set(RULE_FIELDS)
    if unknown:
        raise ValidationError(_("不能修改：%(f)s") % {"f": ", ".join(sorted(unknown))})
    if not 1 <= int(fields.get("min_minutes_per_day", 60)) <= 600:
        raise ValidationError({"min_minutes_per_day": _("应为1–600分钟。")})
    if not 30 <= int(fields.get("auto_close_minutes", 240)) <= 1440:
        raise ValidationError({"auto_close_minutes": _("应为30–1440分钟。")})
    with transaction.atomic():
        rule, _created = GridworkRule.objects.select_for_update().get_or_create(community=community, defaults=DEFAULTS)
        before = audit.snapshot(rule, RULE_FIELDS)
        for k, v in fields.items():
            setattr(rule, k, v)
        rule.save()
        audit.record(actor=actor, action="update", target=rule, changes=audit.diff(before, audit.snapshot(rule, RULE_FIELDS)))
    return rule


def frequency_save(*, actor: User, community: Place, care_tag: CareTag, every_days: int | None) -> VisitFrequency | None:
    """Set (or clear, with None) how often households with a tag are visited."""
    access.require(access.can_manage_structure(scope_for(actor), community))
    with transaction.atomic():
        existing = VisitFrequency.objects.filter(community=community, care_tag=care_tag).first()
        old = existing.every_days if existing else None
        if every_days is None:
            if existing:
                existing.delete()
            audit.record(
                actor=actor,
                action="delete",
                target_type="gridwork.visitfrequency",
                target_id=f"{community.pk}:{care_tag.code}",
                changes={"every_days": [old, None]},
            )
            return None
        if not 1 <= int(every_days) <= 365:
            raise ValidationError({"every_days": _("应为1–365天。")})
        freq, _created = VisitFrequency.objects.update_or_create(
            community=community, care_tag=care_tag, defaults={"every_days": int(every_days)}
        )
        audit.record(actor=actor, action="update", target=freq, changes={"every_days": [old, freq.every_days]})
    return freq


def steward_link(*, actor: User, steward: User, household: Household) -> StewardLink:
    """小管家联户: a red steward of the household's grid looks after it (one steward per household)."""
    access.require(access.can_manage_structure(scope_for(actor), household.dwelling.community))
    grid_ids = set(steward.role_assignments.filter(role=Role.RED_STEWARD).values_list("grid_id", flat=True))
    dwelling_grid = household.dwelling.grid
    if dwelling_grid is None or not ({dwelling_grid.pk, dwelling_grid.parent_id} & grid_ids):
        raise ValidationError({"steward": _("小管家须是该户所在网格的红色小管家。")})
    with transaction.atomic():
        old = StewardLink.objects.filter(household=household).select_related("steward").first()
        link, _created = StewardLink.objects.update_or_create(household=household, defaults={"steward": steward})
        audit.record(actor=actor, action="update", target=link, changes={"steward": [str(old.steward) if old else None, str(steward)]})
    return link


def steward_unlink(*, actor: User, link: StewardLink) -> None:
    access.require(access.can_manage_structure(scope_for(actor), link.household.dwelling.community))
    with transaction.atomic():
        audit.record(actor=actor, action="delete", target=link, changes={"steward": [str(link.steward), None]})
        link.delete()


def force_add(*, actor: User, grid: Grid, kind: str, name: str, organisation: str = "", user: User | None = None) -> SupportingForce:
    access.require(access.can_manage_structure(scope_for(actor), grid.community))
    if kind not in SupportingForce.Kind.values:
        raise ValidationError({"kind": _("类型无效。")})
    if not (name or "").strip():
        raise ValidationError({"name": _("请填写姓名。")})
    with transaction.atomic():
        force = SupportingForce.objects.create(
            grid=grid, kind=kind, name=name.strip()[:50], organisation=(organisation or "").strip()[:100], user=user
        )
        audit.record(actor=actor, action="create", target=force, changes={"kind": [None, kind], "name": [None, force.name]})
    return force


def force_remove(*, actor: User, force: SupportingForce) -> None:
    access.require(access.can_manage_structure(scope_for(actor), force.grid.community))
    with transaction.atomic():
        audit.record(actor=actor, action="delete", target=force, changes={"name": [force.name, None]})
        force.delete()


# ---- overdue visits ----------------------------------------------------------------------------------


def visits_flag_overdue(*, today: date | None = None) -> int:
    """Tell each grid's leader which care households' visits fell overdue since the last scan
    (run by the deadline scan): one message per grid, each household and due date once
    (``VisitOverdueAlert``). Returns how many households were newly flagged."""
    today = today or timezone.localdate()
    flagged = 0
    for community_id in Grid.objects.values_list("community_id", flat=True).distinct().order_by("community_id"):
        overdue = [t for t in selectors.visit_targets(community_id=community_id, today=today) if t.state == "overdue"]
        if not overdue:
            continue
        known = set(
            VisitOverdueAlert.objects.filter(household_id__in=[t.household.pk for t in overdue]).values_list("household_id", "due_on")
        )
        fresh = [t for t in overdue if (t.household.pk, t.due_on) not in known]
        by_grid: dict[int | None, list] = {}
        for t in fresh:
            by_grid.setdefault(t.household.dwelling.grid_id, []).append(t)
        with transaction.atomic():
            made = VisitOverdueAlert.objects.bulk_create(
                [VisitOverdueAlert(household=t.household, due_on=t.due_on, grid_id=t.household.dwelling.grid_id) for t in fresh],
                ignore_conflicts=True,
            )
            for grid_id, targets in by_grid.items():
                if grid_id is not None:
                    notifications.visits_overdue(grid_id, targets)
        flagged += len(made)
    return flagged
