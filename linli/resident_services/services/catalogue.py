"""The catalogue per community (``Service``) and the providers (``Provider``: 乐修匠 craftsmen, teams, merchants, social organisations)."""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from linli.accounts.models import User
from linli.accounts.scope import scope_for
from linli.core import audit
from linli.core.errors import checked_choices
from linli.registry.models import CareTag, Organisation, Place
from linli.registry.vocabulary import street_path
from linli.resident_services import access
from linli.resident_services.models import (
    Eligibility,
    Origin,
    Provider,
    ProviderKind,
    Service,
    ServiceCategory,
)
from linli.volunteers.models import Availability, Skill

# ---- the catalogue and providers ----------------------------------------------------------------------


def service_save(
    *,
    actor: User,
    community: Place,
    name: str,
    category: str,
    service: Service | None = None,
    description: str = "",
    eligibility: str = Eligibility.ALL,
    care_tags: Iterable[CareTag] = (),
    price: Decimal = Decimal("0"),
    price_note: str = "",
    skill: str = "",
    match_days: int = 1,
    deliver_days: int = 3,
    providers: Iterable[Provider] = (),
    active: bool = True,
) -> Service:
    access.require(access.can_manage(scope_for(actor), community))
    name = (name or "").strip()
    care_tags, providers = list(care_tags), list(providers)
    errors = {}
    if not name:
        errors["name"] = _("请填写服务名称。")
    if category not in ServiceCategory.values:
        errors["category"] = _("请选择类别。")
    if eligibility not in Eligibility.values:
        errors["eligibility"] = _("请选择服务对象。")
    elif eligibility == Eligibility.CARE and not care_tags:
        errors["care_tags"] = _("面向关怀对象的服务须选择关怀标签。")
    if skill and skill not in Skill.values:
        errors["skill"] = _("无效的选项。")
    if not Decimal("0") <= Decimal(price) <= Decimal("100000"):
        errors["price"] = _("价格应在0到100000元之间。")
    if not 0 <= match_days <= 30 or not 1 <= deliver_days <= 60:
        errors["deliver_days"] = _("时限应为配单0–30个、送单1–60个工作日。")
    if any(p.community_id != community.pk for p in providers):
        errors["providers"] = _("服务方须属于本社区。")
    if Service.objects.filter(community=community, name=name).exclude(pk=getattr(service, "pk", None)).exists():
        errors["name"] = _("已有同名服务。")
    if errors:
        raise ValidationError(errors)
    fields = ("name", "category", "description", "eligibility", "price", "price_note", "skill", "match_days", "deliver_days", "active")
    with transaction.atomic():
        if service is None:
            service = Service(community=community)
            before = {}
        else:
            service = Service.objects.select_for_update().get(pk=service.pk, community=community)
            before = audit.snapshot(service, fields)
        service.name, service.category, service.description = name, category, (description or "").strip()
        service.eligibility, service.price, service.price_note = eligibility, Decimal(price), price_note.strip()
        service.skill, service.match_days, service.deliver_days, service.active = skill, match_days, deliver_days, active
        service.save()
        service.care_tags.set(care_tags if eligibility == Eligibility.CARE else [])
        service.providers.set(providers)
        audit.record(
            actor=actor,
            action="update" if before else "create",
            target=service,
            changes=audit.diff(before, audit.snapshot(service, fields)),
        )
    return service


def provider_save(
    *,
    actor: User,
    community: Place,
    kind: str,
    name: str,
    provider: Provider | None = None,
    brand: str = "",
    user: User | None = None,
    organisation: Organisation | None = None,
    origin: str = "",
    skills: Iterable[str] = (),
    availability: Iterable[str] = (),
    base: Place | None = None,
    active: bool = True,
) -> Provider:
    access.require(access.can_manage(scope_for(actor), community))
    name = (name or "").strip()
    errors = {}
    if not name:
        errors["name"] = _("请填写名称或姓名。")
    if kind not in ProviderKind.values:
        errors["kind"] = _("请选择类型。")
    if origin and origin not in Origin.values:
        errors["origin"] = _("无效的选项。")
    skills = checked_choices(skills, Skill.values, "skills", errors)
    availability = checked_choices(availability, Availability.values, "availability", errors)
    if kind == ProviderKind.CRAFTSMAN and user is None:
        errors["user"] = _("工匠须绑定本人账号，才能在手机上接单。")
    if kind != ProviderKind.CRAFTSMAN and user is None and organisation is None:
        errors["organisation"] = _("请选择所属组织或接单人账号。")
    if organisation is not None and not organisation.place.path.startswith(street_path(community.path)):
        errors["organisation"] = _("组织不在本街道。")
    if base is not None and not base.path.startswith(community.path):
        errors["base"] = _("常驻位置须在本社区。")
    if errors:
        raise ValidationError(errors)
    fields = ("kind", "name", "brand", "user", "organisation", "origin", "skills", "availability", "base", "active")
    with transaction.atomic():
        if provider is None:
            provider = Provider(community=community)
            before = {}
        else:
            provider = Provider.objects.select_for_update().get(pk=provider.pk, community=community)
            before = audit.snapshot(provider, fields)
        provider.kind, provider.name, provider.brand = kind, name, brand.strip()
        provider.user, provider.organisation, provider.origin = user, organisation, origin
        provider.skills, provider.availability, provider.base, provider.active = skills, availability, base, active
        provider.save()
        audit.record(
            actor=actor,
            action="update" if before else "create",
            target=provider,
            changes=audit.diff(before, audit.snapshot(provider, fields)),
        )
    return provider
