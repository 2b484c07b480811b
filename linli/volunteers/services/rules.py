"""A community's points rules: the policy, per-kind rates and bonuses, themed campaigns."""

from __future__ import annotations

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from linli.accounts.models import User
from linli.accounts.scope import scope_for
from linli.core import audit
from linli.registry.models import Place
from linli.volunteers import access
from linli.volunteers.models import (
    ActivityKind,
    KindRule,
    PointsCampaign,
    Policy,
)

# ---- rules ------------------------------------------------------------------------------------


def policy_save(
    *,
    actor: User,
    community: Place,
    points_per_hour: int,
    max_hours_per_activity: Decimal,
    star_hours: list[int],
    points_valid_months: int = 0,
) -> Policy:
    access.require(access.can_manage(scope_for(actor), community))
    errors = {}
    if not 0 < points_per_hour <= 1000:
        errors["points_per_hour"] = _("每小时积分应在1到1000之间。")
    if not Decimal("0.5") <= Decimal(max_hours_per_activity) <= Decimal("24"):
        errors["max_hours_per_activity"] = _("单次时长上限应在0.5到24小时之间。")
    if not star_hours or len(star_hours) > 5 or any(not 0 < h < 100000 for h in star_hours) or sorted(set(star_hours)) != star_hours:
        errors["star_hours"] = _("星级门槛应为1至5个递增的小时数。")
    if points_valid_months > 120:
        errors["points_valid_months"] = _("有效期不超过120个月。")
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        policy, _created = Policy.objects.select_for_update().get_or_create(community=community)
        fields = ("points_per_hour", "max_hours_per_activity", "star_hours", "points_valid_months")
        before = audit.snapshot(policy, fields)
        policy.points_per_hour = points_per_hour
        policy.max_hours_per_activity = Decimal(max_hours_per_activity)
        policy.star_hours = star_hours
        policy.points_valid_months = points_valid_months
        policy.save()
        audit.record(actor=actor, action="update", target=policy, changes=audit.diff(before, audit.snapshot(policy, fields)))
    return policy


def kind_rule_save(*, actor: User, community: Place, kind: str, points_per_hour: int, bonus_points: int = 0) -> KindRule:
    access.require(access.can_manage(scope_for(actor), community))
    errors = {}
    if kind not in ActivityKind.values:
        errors["kind"] = _("请选择活动类型。")
    if not 0 < points_per_hour <= 1000:
        errors["points_per_hour"] = _("每小时积分应在1到1000之间。")
    if not 0 <= bonus_points <= 1000:
        errors["bonus_points"] = _("加分应在0到1000之间。")
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        rule, _created = KindRule.objects.update_or_create(
            community=community, kind=kind, defaults={"points_per_hour": points_per_hour, "bonus_points": bonus_points}
        )
        audit.record(actor=actor, action="update", target=rule, note=f"{kind} {points_per_hour}/h +{bonus_points}")
    return rule


def campaign_create(*, actor: User, community: Place, name: str, starts_on, ends_on, bonus_percent: int = 0) -> PointsCampaign:
    access.require(access.can_manage(scope_for(actor), community))
    name = (name or "").strip()
    errors = {}
    if not name:
        errors["name"] = _("请填写名称。")
    if ends_on < starts_on:
        errors["ends_on"] = _("结束日期不能早于开始日期。")
    if not 0 <= bonus_percent <= 200:
        errors["bonus_percent"] = _("加成应在0%到200%之间。")
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        campaign = PointsCampaign.objects.create(
            community=community, name=name[:40], starts_on=starts_on, ends_on=ends_on, bonus_percent=bonus_percent
        )
        audit.record(actor=actor, action="create", target=campaign)
    return campaign
