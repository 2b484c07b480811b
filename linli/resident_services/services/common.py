"""What the subjects of 为民服务 share: a refused state, who answers for a provider or a resident, local times in messages."""

from __future__ import annotations

from datetime import datetime

from django.core.exceptions import ValidationError
from django.utils import timezone

from linli.accounts.models import Role, RoleAssignment, User
from linli.registry.models import Resident
from linli.resident_services.models import (
    Provider,
)


class InvalidState(ValidationError):
    pass


# ---- who is told -----------------------------------------------------------------------------------


def provider_people(provider: Provider) -> list[User]:
    """Who answers for a provider: its own account, else its organisation's staff."""
    if provider.user_id:
        return [provider.user]
    if provider.organisation_id:
        rows = RoleAssignment.objects.filter(
            organisation_id=provider.organisation_id, role__in=[Role.PARTNER_STAFF, Role.PROPERTY_STAFF]
        ).select_related("user")
        return [r.user for r in rows]
    return []


def resident_people(resident: Resident, *also) -> list[User]:
    return [*User.objects.filter(resident=resident), *also]


def _local(moment: datetime | None) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M") if moment else ""
