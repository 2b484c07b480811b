"""Writing the audit log. Services call these inside their transaction, so a rolled-back
change leaves no audit row and a committed one always has its row."""

from collections.abc import Iterable, Mapping
from typing import Any

from django.db import models

from linli.core.models import AuditEntry


def _plain(value: Any) -> Any:
    if isinstance(value, models.Model):
        return str(value)
    if hasattr(value, "isoformat"):
        return value.isoformat()
    if isinstance(value, (list, tuple, set, frozenset)):
        return sorted(str(v) for v in value)
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    return str(value)


def snapshot(obj: models.Model, fields: Iterable[str], masked: Mapping[str, str] | None = None) -> dict:
    """The audit view of an object: plain values, with sensitive fields replaced by their masked form."""
    masked = masked or {}
    return {f: (masked[f] if f in masked else _plain(getattr(obj, f))) for f in fields}


def diff(before: Mapping[str, Any], after: Mapping[str, Any]) -> dict:
    keys = set(before) | set(after)
    return {k: [before.get(k), after.get(k)] for k in sorted(keys) if before.get(k) != after.get(k)}


def record(
    *,
    actor,
    action: str,
    target: models.Model | None = None,
    target_type: str = "",
    target_id: str = "",
    changes: dict | None = None,
    note: str = "",
) -> AuditEntry:
    if target is not None:
        target_type = target_type or target._meta.label_lower
        target_id = target_id or str(target.pk)
    return AuditEntry.objects.create(
        actor=actor if (actor is not None and actor.is_authenticated) else None,
        action=action,
        target_type=target_type,
        target_id=target_id,
        target_label=(getattr(target, "audit_label", None) or str(target))[:200] if target is not None else "",
        changes=changes or {},
        note=note[:200],
    )
