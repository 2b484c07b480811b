"""What the registry's subjects share."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _


def _require(allowed: bool) -> None:
    if not allowed:
        raise PermissionDenied(_("您无权在此范围内执行该操作。"))
