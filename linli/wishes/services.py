"""Every change to a micro-wish: one function per action, in a transaction, checking who may.

Claiming is a conditional UPDATE (status OPEN → CLAIMED) so that of many simultaneous claims
exactly one wins, on SQLite and PostgreSQL alike."""

from __future__ import annotations

from datetime import timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from linli.accounts.models import User
from linli.accounts.scope import scope_for
from linli.core.images import clean_photo
from linli.core.masking import mask_name
from linli.registry.models import Organisation, PlaceKind, Resident
from linli.registry.vocabulary import ancestor_at
from linli.wishes import access, notifications
from linli.wishes.models import TRANSITIONS, Wish, WishCampaign, WishEvent, WishStatus

CLAIM_DAYS = 14  # a claim not fulfilled within this returns to the wall
# Care tags that may appear on the wall: a label of need, never a diagnosis.
PUBLIC_TAGS = ("elderly_alone", "empty_nest", "five_elders", "veteran")


class InvalidTransition(ValidationError):
    pass


def _event(wish: Wish, actor, action: str, note: str = "") -> None:
    WishEvent.objects.create(wish=wish, actor=actor, action=action, note=note[:200])


def wish_post(
    *, actor: User, resident: Resident, kind: str, title: str, description: str = "", campaign: WishCampaign | None = None
) -> Wish:
    """A resident posts their own wish; a grid worker or staff posts one for a resident in scope."""
    access.require(access.can_post_for(scope_for(actor), actor, resident), _("您不能为这位居民发布心愿。"))
    errors = {}
    title = (title or "").strip()
    if not title:
        errors["title"] = _("请写下心愿。")
    elif len(title) > 60:
        errors["title"] = _("心愿不超过60字。")
    if kind not in Wish.Kind.values:
        errors["kind"] = _("请选择心愿类型。")
    dwelling = resident.household.dwelling
    if campaign is not None and campaign.community_id != dwelling.community_id:
        errors["campaign"] = _("活动不属于该社区。")
    if errors:
        raise ValidationError(errors)
    compound = ancestor_at(dwelling, PlaceKind.COMPOUND)
    tag = resident.care_tags.filter(code__in=PUBLIC_TAGS).order_by("id").first()
    with transaction.atomic():
        wish = Wish.objects.create(
            community_id=dwelling.community_id,
            compound=compound,
            resident=resident,
            posted_by=actor,
            campaign=campaign,
            kind=kind,
            title=title,
            description=(description or "").strip()[:1000],
            public_name=mask_name(resident.name) + (_("奶奶") if resident.gender == "F" else _("爷爷"))
            if tag
            else mask_name(resident.name),
            public_tag=tag.name if tag else "",
        )
        _event(wish, actor, "post")
    return wish


def _transition(*, actor, wish: Wish, action: str, allowed=None, change=None, note: str = "") -> Wish:
    """``allowed`` defaults to the action's predicate in ``access``, asked after the lock."""
    with transaction.atomic():
        locked = Wish.objects.select_for_update().select_related("community").get(pk=wish.pk)
        if allowed is None:
            allowed = lambda w: access.PREDICATES[action](scope_for(actor), actor, w)  # noqa: E731
        if not allowed(locked):
            raise PermissionDenied(_("您无权执行此操作。"))
        if not locked.can(action):
            raise InvalidTransition(_("心愿当前状态为“%(s)s”，不能执行该操作。") % {"s": locked.get_status_display()})
        if change:
            change(locked)
        locked.status = TRANSITIONS[action][1]
        locked.save()
        _event(locked, actor, action, note)
    return locked


def wish_approve(*, actor: User, wish: Wish) -> Wish:
    return _transition(actor=actor, wish=wish, action="approve")


def wish_reject(*, actor: User, wish: Wish, reason: str) -> Wish:
    if not (reason or "").strip():
        raise ValidationError({"reason": _("请说明理由。")})
    return _transition(actor=actor, wish=wish, action="reject", note=reason)


def wish_claim(*, actor: User, wish: Wish, organisation: Organisation | None = None) -> Wish:
    """One claimer at a time: the UPDATE only matches while the wish is still open. Claimers
    claim in their own community (access.can_claim), for their own unit if they name one."""
    scope = scope_for(actor)
    access.require(access.can_claim(scope, actor, wish), _("本社区的党员、志愿者、共建单位和爱心商户可以认领心愿。"))
    if organisation is not None:
        access.require(access.can_claim_for(scope, wish, organisation), _("您不能代表该单位认领。"))
    now = timezone.now()
    with transaction.atomic():
        won = Wish.objects.filter(pk=wish.pk, status=WishStatus.OPEN).update(
            status=WishStatus.CLAIMED,
            claimed_by=actor,
            claimed_for=organisation,
            claimed_at=now,
            claim_deadline=now + timedelta(days=CLAIM_DAYS),
        )
        if not won:
            current = Wish.objects.get(pk=wish.pk)
            raise InvalidTransition(_("心愿当前状态为“%(s)s”，不能认领。") % {"s": current.get_status_display()})
        claimed = Wish.objects.select_related("resident", "claimed_for").get(pk=wish.pk)
        _event(claimed, actor, "claim")
        notifications.wish_claimed(claimed, actor=actor)
    return claimed


def wish_release(*, actor: User | None, wish: Wish, note: str = "") -> Wish:
    def change(w):
        w.claimed_by = w.claimed_for = w.claimed_at = w.claim_deadline = None

    return _transition(actor=actor, wish=wish, action="release", change=change, note=note)


def wish_fulfil(*, actor: User, wish: Wish, photo) -> Wish:
    """The claimer delivers, with a photo as proof (cleaned of metadata like appeal photos)."""
    if photo is None:
        raise ValidationError({"photo": _("请上传圆梦照片。")})
    content = clean_photo(photo)

    def change(w):
        w.proof.save(content.name, content, save=False)
        w.fulfilled_at = timezone.now()

    with transaction.atomic():
        fulfilled = _transition(actor=actor, wish=wish, action="fulfil", change=change)
        notifications.wish_fulfilled(fulfilled, actor=actor)
    return fulfilled


def wish_confirm(*, actor: User, wish: Wish) -> Wish:
    """The resident confirms, or staff/grid worker for a resident without a phone."""

    def change(w):
        w.confirmed_at = timezone.now()

    return _transition(actor=actor, wish=wish, action="confirm", change=change)


def wishes_release_expired(*, now=None) -> int:
    """Claims not fulfilled in time go back to the wall (run by the scan command or a task)."""
    now = now or timezone.now()
    released = 0
    for pk in list(Wish.objects.filter(status=WishStatus.CLAIMED, claim_deadline__lt=now).values_list("pk", flat=True)[:500]):
        with transaction.atomic():
            n = Wish.objects.filter(pk=pk, status=WishStatus.CLAIMED, claim_deadline__lt=now).update(
                status=WishStatus.OPEN, claimed_by=None, claimed_for=None, claimed_at=None, claim_deadline=None
            )
            if n:
                WishEvent.objects.create(wish_id=pk, action="expire", note=_("认领超期，已回到心愿墙。"))
                released += 1
    return released


def wish_withdraw(*, actor: User, wish: Wish) -> Wish:
    """The resident (or whoever posted for them, or staff) takes a wish back before it is claimed."""
    return _transition(actor=actor, wish=wish, action="withdraw")
