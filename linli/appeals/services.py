"""Every change to an appeal: one function per action, each in one transaction that locks the
appeal row (``select_for_update``), checks the actor's right (``access``) and the state
(``TRANSITIONS``), writes the timeline, and queues notifications in the same transaction (the
outbox delivers them after commit)."""

from __future__ import annotations

import hashlib
import secrets
import uuid
from collections.abc import Callable, Iterable
from datetime import timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from linli.accounts.models import User
from linli.accounts.scope import scope_for
from linli.appeals import access
from linli.appeals.access import ON_BEHALF, REPORTABLE_KINDS
from linli.appeals.models import (
    LEVEL_ORDER,
    OPEN_STATES,
    TRANSITIONS,
    Appeal,
    Assignment,
    Category,
    Channel,
    Event,
    Level,
    Photo,
    Status,
    Support,
)
from linli.core import hooks
from linli.core import phone as phone_rules
from linli.core.images import clean_photos
from linli.core.masking import mask_phone
from linli.core.workdays import deadline_after
from linli.registry.models import Organisation, Place

__all__ = ["ON_BEHALF", "REPORTABLE_KINDS"]  # re-exported for callers that report


class InvalidTransition(ValidationError):
    pass


def _notify(appeal: Appeal, action: str) -> None:
    """Queue the notifications in this transaction (the outbox); delivery runs after commit."""
    from linli.appeals import notifications

    notifications.appeal_changed(appeal=appeal, action=action)


# ---- intake -------------------------------------------------------------------------


def appeal_submit(
    *,
    actor: User | None,
    place: Place,
    title: str,
    description: str,
    channel: str,
    category: Category | None = None,
    contact_phone: str = "",
    reporter_name: str = "",
    idempotency_key: str | None = None,
    origin: str = "",
    open311_key=None,
    photos: Iterable = (),
) -> tuple[Appeal, bool]:
    """Create an appeal, or return the one this sender already made with this idempotency key.

    Returns (appeal, created). A double tap or a retry on a weak network sends the same key. The
    key belongs to its sender (the user, or ``origin`` for a sender without an account: a
    confirmed phone, an Open311 client), so another sender's identical key makes a new appeal
    and never returns someone else's.
    """
    # A repeated key is found by the unique index when the appeal is inserted (below), not by a
    # look-up before every submission: a retry costs one failed INSERT, a first try nothing.
    stored_key = idempotency_digest(actor=actor, origin=origin, key=idempotency_key) if idempotency_key else None
    errors = {}
    title = (title or "").strip()
    description = (description or "").strip()
    if not description:
        errors["description"] = _("请描述您遇到的问题。")
    elif len(description) > 2000:
        errors["description"] = _("描述不能超过2000字。")
    if len(title) > 100:
        errors["title"] = _("标题不能超过100字。")
    if place.kind not in REPORTABLE_KINDS or place.community_id is None:
        errors["place"] = _("请选择小区、楼栋或房屋。")
    if channel not in Channel.values:
        errors["channel"] = _("渠道无效。")
    number = phone_rules.parse_optional(contact_phone, errors, "contact_phone")
    if category is not None and category.community_id not in (None, place.community_id):
        errors["category"] = _("分类不属于该社区。")
    try:
        cleaned_photos = clean_photos(photos)
    except ValidationError as e:
        errors["photos"] = e.messages[0]
    if errors:
        raise ValidationError(errors)
    if channel in ON_BEHALF and not (actor and access.can_record_for_others(scope_for(actor), place, channel)):
        raise PermissionDenied(_("您不能在此处代为登记诉求。"))
    from linli.appeals.classifier import suggest_category

    suggested = suggest_category(f"{title} {description}", community_id=place.community_id)
    chosen = category or suggested
    try:
        with transaction.atomic():
            appeal = Appeal.objects.create(
                number=f"t{uuid.uuid4().hex[:20]}",  # replaced below once the id is known
                community_id=place.community_id,
                place=place,
                grid_id=place.grid_id,
                category=chosen,
                suggested_category=suggested,
                level=chosen.default_level if chosen else Level.GRID,
                title=title or description[:30],
                description=description,
                channel=channel,
                # On someone's behalf, the person is reporter_name/contact_phone; the recorder is not the reporter.
                reporter=actor if actor is not None and actor.is_authenticated and channel not in ON_BEHALF else None,
                reporter_name=(reporter_name or "").strip()[:50],
                contact_phone=number,
                contact_phone_masked=mask_phone(number),
                recorded_by=actor if channel in ON_BEHALF else None,
                idempotency_key=stored_key,
                open311_key=open311_key,
                tracking_salt=secrets.token_urlsafe(12),
            )
            # The number reads like a hotline work order: date + sequence.
            appeal.number = f"{timezone.localtime(appeal.created_at):%Y%m%d}{appeal.pk:06d}"
            appeal.save(update_fields=["number"])
            event = Event.objects.create(
                appeal=appeal, actor=actor if actor and actor.is_authenticated else None, action="submit", to_status=Status.SUBMITTED
            )
            _attach(appeal, event, cleaned_photos, actor)
            hooks.announce(hooks.APPEAL_CHANGED, appeal=appeal, action="submit")
            _notify(appeal, "submit")
    except IntegrityError:
        # This sender already made this appeal (a retry, or a double tap that raced this one).
        existing = Appeal.objects.filter(idempotency_key=stored_key).first() if stored_key else None
        if existing is None:
            raise
        return existing, False
    return appeal, True


IDEMPOTENCY_KEY_MAX = 64


def idempotency_digest(*, actor, origin: str, key: str) -> str:
    """The stored form of a sender's key: a digest of who sent it and the key itself."""
    if not (1 <= len(key) <= IDEMPOTENCY_KEY_MAX) or not key.isascii() or not key.isprintable():
        raise ValidationError({"idempotency_key": _("Idempotency-Key 应为1–64个可见ASCII字符。")})
    if actor is not None and getattr(actor, "is_authenticated", False):
        sender = f"user:{actor.pk}"
    elif origin:
        sender = origin
    else:
        raise ValidationError({"idempotency_key": _("无法识别提交人，不能使用幂等键。")})
    return hashlib.sha256(f"{sender}\x00{key}".encode()).hexdigest()


def appeal_submit_verified(*, phone: str, code: str, **submit) -> tuple[Appeal, bool]:
    """A report without an account: the phone's one-time code is checked (the try counted on
    its own), then used up in the same transaction that writes the appeal — a refused report
    does not use up the code."""
    from linli.core import crypto
    from linli.core.verification import phone_code_check, phone_code_consume

    verification = phone_code_check(phone=phone, code=code)
    with transaction.atomic():
        number = phone_code_consume(verification)
        return appeal_submit(actor=None, contact_phone=number, origin=f"phone:{crypto.digest(number)}", **submit)


def appeal_add_info(*, actor: User | None, appeal: Appeal, text: str, photos: Iterable = (), signature: str | None = None) -> Event:
    """补充信息: the reporter (signed in, or by their tracking link) adds words or photos while the
    appeal is open; the handlers are told."""
    text = (text or "").strip()
    cleaned = clean_photos(photos)
    if not text and not cleaned:
        raise ValidationError({"text": _("请写下补充内容或上传照片。")})
    if len(text) > 1000:
        raise ValidationError({"text": _("补充内容不超过1000字。")})
    user = actor if actor is not None and getattr(actor, "is_authenticated", False) else None
    with transaction.atomic():
        locked = Appeal.objects.select_for_update(of=("self",)).get(pk=appeal.pk)
        access.require(access.can_add_info(scope_for(user), locked, signature))
        event = Event.objects.create(appeal=locked, actor=user, action="add_info", note=text)
        _attach(locked, event, cleaned, user)
        _notify(locked, "add_info")
    return event


def _attach(appeal: Appeal, event: Event, photos: list, actor) -> None:
    for content in photos:
        Photo.objects.create(appeal=appeal, event=event, image=content, uploaded_by=actor if actor and actor.is_authenticated else None)


def appeal_support(*, actor: User, appeal: Appeal) -> bool:
    """A neighbour adds their voice to an open appeal at the same place instead of reporting it
    again (and so hears its outcome)."""
    if not appeal.is_open:
        raise InvalidTransition(_("该诉求已结束，不能附议。"))
    access.require(access.can_support(scope_for(actor), actor, appeal), _("只有同一小区的居民可以附议。"))
    with transaction.atomic():
        _support, created = Support.objects.get_or_create(appeal=appeal, user=actor)
        if created:
            Event.objects.create(appeal=appeal, actor=actor, action="support", public=True)
    return created


# ---- the state machine ---------------------------------------------------------------


def _transition(
    *,
    actor: User | None,
    appeal: Appeal,
    action: str,
    allowed: Callable[[Appeal], bool] | None = None,
    change: Callable[[Appeal], None] | None = None,
    note: str = "",
    public: bool = True,
) -> Appeal:
    """``allowed`` defaults to the action's predicate in ``access``; it is asked after the lock."""
    with transaction.atomic():
        locked = Appeal.objects.select_for_update(of=("self",)).select_related("place", "category", "grid").get(pk=appeal.pk)
        if allowed is None:
            allowed = lambda a: access.can(scope_for(actor), action, a)  # noqa: E731
        if not allowed(locked):
            raise PermissionDenied(_("您无权对该诉求执行此操作。"))
        if not locked.can(action):
            raise InvalidTransition(
                _("诉求当前状态为“%(s)s”，不能执行该操作。") % {"s": locked.get_status_display()}, code="invalid_transition"
            )
        old = locked.status
        to = TRANSITIONS[action][1]
        if change is not None:
            change(locked)
        if to is not None:
            locked.status = to
        locked.save()
        Event.objects.create(appeal=locked, actor=actor, action=action, from_status=old, to_status=locked.status, note=note, public=public)
        hooks.announce(hooks.APPEAL_CHANGED, appeal=locked, action=action)
        _notify(locked, action)
    return locked


def _required(text: str, field: str, message: str) -> str:
    text = (text or "").strip()
    if not text:
        raise ValidationError({field: message})
    return text


def appeal_accept(*, actor: User, appeal: Appeal, note: str = "") -> Appeal:
    return _transition(actor=actor, appeal=appeal, action="accept", note=note)


def appeal_reject(*, actor: User, appeal: Appeal, reason: str) -> Appeal:
    reason = _required(reason, "reason", _("请说明不予受理的理由。"))

    def change(a):
        a.closed_at = timezone.now()

    return _transition(actor=actor, appeal=appeal, action="reject", change=change, note=reason)


def appeal_dispatch(
    *,
    actor: User,
    appeal: Appeal,
    users: Iterable[User] = (),
    organisations: Iterable[Organisation] = (),
    lead: User | Organisation | None = None,
    note: str = "",
) -> Appeal:
    """Send to one or several handlers (联办, one lead). Earlier pending handlers are withdrawn."""
    users, organisations = list(users), list(organisations)
    handlers: list[User | Organisation] = [*users, *organisations]
    if not handlers:
        raise ValidationError({"handlers": _("请选择承办人或承办单位。")})
    lead = lead or handlers[0]
    if lead not in handlers:
        raise ValidationError({"lead": _("主办方必须是承办方之一。")})

    def change(a: Appeal):
        # Whatever the caller offered (form, API), only eligible handlers are accepted.
        access.require_handlers(a, users, organisations)
        a.assignments.filter(state__in=[Assignment.State.PENDING, Assignment.State.SIGNED]).update(state=Assignment.State.WITHDRAWN)
        Assignment.objects.bulk_create(
            [Assignment(appeal=a, user=u, is_lead=(u == lead)) for u in users]
            + [Assignment(appeal=a, organisation=o, is_lead=(o == lead)) for o in organisations]
        )
        now = timezone.now()
        sign_days = a.category.sign_days if a.category else 1
        complete_days = a.category.complete_days if a.category else 5
        a.sign_deadline = deadline_after(now, sign_days)
        if a.complete_deadline is None or a.status == Status.REOPENED:
            a.complete_deadline = deadline_after(now, complete_days)
        a.reminded_at = None
        a.overdue_notified_at = None

    names = "、".join(str(h) for h in handlers)
    return _transition(
        actor=actor,
        appeal=appeal,
        action="dispatch",
        change=change,
        note=(note + "\n" if note else "") + _("派往：%(h)s") % {"h": names},
    )


def appeal_sign(*, actor: User, appeal: Appeal) -> Appeal:
    def change(a: Appeal):
        orgs = scope_for(actor).organisation_ids
        for x in a.assignments.filter(state=Assignment.State.PENDING):
            if x.user_id == actor.pk or x.organisation_id in orgs:
                x.state, x.signed_at = Assignment.State.SIGNED, timezone.now()
                x.save(update_fields=["state", "signed_at"])

    return _transition(actor=actor, appeal=appeal, action="sign", change=change)


def appeal_return(*, actor: User, appeal: Appeal, reason: str) -> Appeal:
    """退单: a handler sends it back with a reason (not theirs to handle)."""
    reason = _required(reason, "reason", _("请说明退单理由。"))

    def change(a: Appeal):
        a.assignments.filter(state__in=[Assignment.State.PENDING, Assignment.State.SIGNED]).update(state=Assignment.State.RETURNED)
        a.sign_deadline = None

    return _transition(actor=actor, appeal=appeal, action="return", change=change, note=reason)


def appeal_escalate(*, actor: User, appeal: Appeal, reason: str) -> Appeal:
    """One level up (building → grid → community → department), with a reason."""
    reason = _required(reason, "reason", _("请说明上报理由。"))

    def change(a: Appeal):
        index = LEVEL_ORDER.index(Level(a.level))
        if index == len(LEVEL_ORDER) - 1:
            raise InvalidTransition(_("已是最高处理层级。"))
        a.level = LEVEL_ORDER[index + 1]
        a.assignments.filter(state__in=[Assignment.State.PENDING, Assignment.State.SIGNED]).update(state=Assignment.State.WITHDRAWN)

    return _transition(actor=actor, appeal=appeal, action="escalate", change=change, note=reason)


def appeal_set_level(*, actor: User, appeal: Appeal, level: str, reason: str) -> Appeal:
    """Staff pull an appeal up or push it down."""
    if level not in Level.values:
        raise ValidationError({"level": _("处理层级无效。")})
    reason = _required(reason, "reason", _("请说明调整理由。"))

    def change(a: Appeal):
        a.level = level

    return _transition(
        actor=actor,
        appeal=appeal,
        action="set_level",
        change=change,
        note=f"{Level(appeal.level).label} → {Level(level).label}: {reason}",
    )


def _resolving(actor, result: str) -> Callable[[Appeal], None]:
    """The change of a resolution: the result, and the appeals merged into it share it."""

    def change(a: Appeal):
        a.result = result
        a.resolved_at = timezone.now()
        for merged in a.merged.filter(status=Status.MERGED).select_for_update():
            merged.status, merged.result, merged.resolved_at = Status.RESOLVED, result, a.resolved_at
            merged.save(update_fields=["status", "result", "resolved_at", "updated_at"])
            Event.objects.create(
                appeal=merged,
                actor=actor,
                action="resolve",
                from_status=Status.MERGED,
                to_status=Status.RESOLVED,
                note=_("随并入的诉求%(n)s一并办结。") % {"n": a.number},
            )
            hooks.announce(hooks.APPEAL_CHANGED, appeal=merged, action="resolve")
            _notify(merged, "resolve")

    return change


def appeal_resolve(*, actor: User, appeal: Appeal, result: str, photos: Iterable = ()) -> Appeal:
    result = _required(result, "result", _("请填写办理结果。"))
    cleaned_photos = clean_photos(photos)

    with transaction.atomic():
        resolved = _transition(actor=actor, appeal=appeal, action="resolve", change=_resolving(actor, result), note=result)
        _attach(resolved, resolved.events.filter(action="resolve").last(), cleaned_photos, actor)
    return resolved


def appeal_resolve_by_council(*, actor: User, appeal: Appeal, resolution) -> Appeal:
    """A council's published resolution answers the appeals raised to it. The authority is the
    resolution (``access.can_resolve_by_council``), not the actor's own appeal rights, so a
    convener who is a resident can publish it; the appeal may be at any open step."""
    template = _("经%(c)s议事决定：%(d)s") if resolution.adopted else _("经%(c)s议事表决未通过：%(d)s")
    result = template % {"c": resolution.topic.council.name, "d": resolution.decision}
    return _transition(
        actor=actor,
        appeal=appeal,
        action="council_resolve",
        allowed=lambda a: access.can_resolve_by_council(resolution, a),
        change=_resolving(actor, result),
        note=result,
    )


def appeal_resolve_by_mediation(*, actor: User, appeal: Appeal, case, result: str) -> Appeal:
    """A mediation agreement answers the appeal it came from. The result says only that it was
    mediated: the agreement itself is confidential and the appeal's result may be public."""
    return _transition(
        actor=actor,
        appeal=appeal,
        action="mediation_resolve",
        allowed=lambda a: access.can_resolve_by_mediation(case, a),
        change=_resolving(actor, result),
        note=result,
    )


def appeal_referred_to_mediation(*, actor: User, appeal: Appeal) -> Event:
    """转人民调解: the timeline records it, for those who handle the appeal only (not public)."""
    with transaction.atomic():
        return Event.objects.create(appeal=appeal, actor=actor, action="to_mediation", note=_("已转人民调解。"), public=False)


def appeal_resolve_by_project(*, actor: User, appeal: Appeal, project) -> Appeal:
    """An accepted project (验收通过) answers the appeals it was attached to."""
    result = _("已纳入项目“%(p)s”实施，并通过验收。") % {"p": project.title}
    return _transition(
        actor=actor,
        appeal=appeal,
        action="project_resolve",
        allowed=lambda a: access.can_resolve_by_project(project, a),
        change=_resolving(actor, result),
        note=result,
    )


def appeal_raised_to_council(*, actor: User, appeal: Appeal, topic) -> Event:
    """提交议事: the appeal's timeline records the council topic it was raised to. The authority is
    the topic (the council's manager raised it there), checked by ``access.can_raise_to_council``."""
    access.require(access.can_raise_to_council(topic, appeal))
    with transaction.atomic():
        return Event.objects.create(
            appeal=appeal,
            actor=actor,
            action="to_council",
            note=_("已提交%(c)s议事：%(t)s") % {"c": topic.council.name, "t": topic.title},
        )


UNHAPPY = 2  # a rating at or below this reopens the appeal


def appeal_rate(*, actor: User | None, appeal: Appeal, rating: int, comment: str = "", signature: str | None = None) -> Appeal:
    """The reporter confirms and rates (1–5), signed in or by their tracking link; staff may
    record it from a call-back (回访). An unhappy rating reopens the appeal."""
    try:
        rating = int(rating)
    except (TypeError, ValueError):
        rating = 0
    if not 1 <= rating <= 5:
        raise ValidationError({"rating": _("请给出1到5星的评价。")})

    def change(a: Appeal):
        a.rating, a.rating_comment, a.closed_at = rating, (comment or "").strip()[:500], timezone.now()

    user = actor if actor is not None and getattr(actor, "is_authenticated", False) else None

    def allowed(a):
        return access.can(scope_for(user), "rate", a) or access.tracking_valid(a, signature)

    with transaction.atomic():
        appeal = _transition(actor=user, appeal=appeal, action="rate", allowed=allowed, change=change, note=f"{rating}★ {comment}".strip())
        if rating <= UNHAPPY:
            # Part of the rating: whoever may rate may send it back by an unhappy rating.
            appeal = _reopen(actor=user, appeal=appeal, reason=_("居民不满意：%(c)s") % {"c": comment or rating}, allowed=lambda a: True)
    return appeal


def _reopen(*, actor: User, appeal: Appeal, reason: str, allowed=None) -> Appeal:
    def change(a: Appeal):
        a.closed_at = None
        a.resolved_at = None
        a.complete_deadline = None

    return _transition(actor=actor, appeal=appeal, action="reopen", allowed=allowed, change=change, note=reason)


def appeal_reopen(*, actor: User, appeal: Appeal, reason: str) -> Appeal:
    return _reopen(actor=actor, appeal=appeal, reason=_required(reason, "reason", _("请说明重新办理的理由。")))


def appeal_merge(*, actor: User, appeal: Appeal, into: Appeal) -> Appeal:
    """并单: a duplicate joins another appeal and shares its outcome."""
    if appeal.pk == into.pk:
        raise ValidationError({"into": _("不能并入自身。")})
    if into.merged_into_id or (not into.is_open and into.status != Status.RESOLVED):
        raise ValidationError({"into": _("只能并入一个未结束的诉求。")})
    if into.community_id != appeal.community_id:
        raise ValidationError({"into": _("只能合并同一社区的诉求。")})
    access.require(access.can_merge(scope_for(actor), into))

    def change(a: Appeal):
        a.merged_into = into
        a.assignments.filter(state__in=[Assignment.State.PENDING, Assignment.State.SIGNED]).update(state=Assignment.State.WITHDRAWN)
        Event.objects.create(appeal=into, actor=actor, action="merged_in", note=a.number)

    return _transition(
        actor=actor,
        appeal=appeal,
        action="merge",
        change=change,
        note=_("并入%(n)s") % {"n": into.number},
    )


def appeal_extend(*, actor: User, appeal: Appeal, working_days: int, reason: str) -> Appeal:
    """Staff grant an extension of the completion deadline, with a reason."""
    reason = _required(reason, "reason", _("请说明延期理由。"))
    try:
        working_days = int(working_days)
    except (TypeError, ValueError):
        working_days = 0
    if not 1 <= working_days <= 30:
        raise ValidationError({"working_days": _("延期天数应为1到30个工作日。")})

    def change(a: Appeal):
        base = max(a.complete_deadline or timezone.now(), timezone.now())
        a.complete_deadline = deadline_after(base, int(working_days))
        a.reminded_at = None
        a.overdue_notified_at = None

    return _transition(
        actor=actor,
        appeal=appeal,
        action="extend",
        change=change,
        note=_("延期%(d)s个工作日：%(r)s") % {"d": working_days, "r": reason},
    )


def appeal_supervise(*, actor: User, appeal: Appeal, note: str = "") -> Appeal:
    """督办: a supervisor presses an overdue appeal."""

    def change(a: Appeal):
        a.supervised_at = timezone.now()

    return _transition(
        actor=actor,
        appeal=appeal,
        action="supervise",
        change=change,
        note=note,
        public=False,
    )


def appeal_callback(*, actor: User, appeal: Appeal, note: str) -> Appeal:
    """回访: staff record a call-back to the reporter."""
    note = _required(note, "note", _("请填写回访记录。"))
    return _transition(actor=actor, appeal=appeal, action="callback", note=note, public=False)


# ---- deadlines (run by the scan command / task) ----------------------------------------

REMIND_BEFORE = timedelta(hours=24)
IN_HAND = (Status.DISPATCHED, Status.IN_PROGRESS)


def appeals_scan_deadlines(*, now=None) -> dict[str, int]:
    """Remind handlers a day before the completion deadline; tell the community's dispatchers
    (督办 is theirs to decide) when it has passed. Each appeal is claimed with a conditional
    update on its stored column, so two scanners never send the same reminder twice."""
    from linli.appeals import notifications

    now = now or timezone.now()
    counts = {"reminded": 0, "overdue": 0}
    due_soon = Appeal.objects.filter(
        status__in=IN_HAND, reminded_at__isnull=True, complete_deadline__gt=now, complete_deadline__lte=now + REMIND_BEFORE
    ).values_list("pk", flat=True)
    for pk in list(due_soon[:500]):
        with transaction.atomic():
            if Appeal.objects.filter(pk=pk, reminded_at__isnull=True).update(reminded_at=now):
                appeal = Appeal.objects.get(pk=pk)
                Event.objects.create(appeal=appeal, action="remind", note=_("距办结期限不足24小时。"), public=False)
                notifications.deadline_reminder(appeal=appeal)
                counts["reminded"] += 1
    overdue = Appeal.objects.filter(status__in=OPEN_STATES, overdue_notified_at__isnull=True, complete_deadline__lte=now).values_list(
        "pk", flat=True
    )
    for pk in list(overdue[:500]):
        with transaction.atomic():
            if Appeal.objects.filter(pk=pk, overdue_notified_at__isnull=True).update(overdue_notified_at=now):
                appeal = Appeal.objects.get(pk=pk)
                Event.objects.create(appeal=appeal, action="overdue", note=_("已超过办结期限。"), public=False)
                notifications.overdue(appeal=appeal)
                counts["overdue"] += 1
    return counts


# ---- categories ------------------------------------------------------------------------

CATEGORY_FIELDS = ("name", "code", "parent", "default_level", "default_handler", "sign_days", "complete_days", "keywords", "is_active")


def category_save(*, actor: User, community: Place, category: Category | None = None, **fields) -> Category:
    """Create or change one of the community's own categories (the default set is read-only here)."""
    from linli.core import audit
    from linli.registry import access as registry_access

    access.require(access.can_manage_categories(scope_for(actor), community), _("只有社区工作人员可以维护诉求分类。"))
    if category is not None and category.community_id != community.pk:
        raise PermissionDenied(_("默认分类不能在此修改。"))
    unknown = set(fields) - set(CATEGORY_FIELDS)
    if unknown:
        raise ValidationError(_("不能修改：%(f)s") % {"f": ", ".join(sorted(unknown))})
    obj = category or Category(community=community)
    before = audit.snapshot(obj, CATEGORY_FIELDS) if category else {}
    for k, v in fields.items():
        setattr(obj, k, v)
    if obj.parent_id and obj.parent.community_id not in (None, community.pk):
        raise ValidationError({"parent": _("上级分类不属于该社区。")})
    if obj.default_handler_id and not registry_access.organisations(scope_for(actor)).filter(pk=obj.default_handler_id).exists():
        raise ValidationError({"default_handler": _("承办单位不在本社区范围内。")})
    if not 0 < (obj.complete_days or 0) <= 60 or not 0 < (obj.sign_days or 0) <= 10:
        raise ValidationError({"complete_days": _("时限应为1–60个工作日，签收1–10个工作日。")})
    obj.full_clean(exclude=["community"])
    if Category.objects.filter(community__isnull=True, code=obj.code).exists():
        raise ValidationError({"code": _("该代码已被默认分类使用。")})
    with transaction.atomic():
        obj.save()
        audit.record(
            actor=actor,
            action="update" if category else "create",
            target=obj,
            changes=audit.diff(before, audit.snapshot(obj, CATEGORY_FIELDS)),
        )
    return obj
