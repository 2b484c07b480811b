"""The Excel export of a community's or grid's residents."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils.translation import gettext as _

from linli.accounts.models import User
from linli.accounts.scope import scope_for
from linli.core import audit
from linli.registry import access
from linli.registry.models import (
    Grid,
)
from linli.registry.vocabulary import grid_family

# ---- Excel export --------------------------------------------------------------------


def residents_export(*, actor: User, grid: Grid | None = None) -> tuple[bytes, int]:
    """The residents the actor may export, as the import template lays them out.

    ID numbers and phones are in full only where the actor may reveal them; the export itself
    is one audit entry (how many rows, never which values).
    """
    from linli.core.replica import reporting
    from linli.registry import excel

    scope = scope_for(actor)
    if not access.can_export(scope, grid):
        raise PermissionDenied(_("您无权导出。"))
    qs = access.export_rows(scope).filter(is_active=True)
    if grid is not None:
        qs = qs.filter(household__dwelling__grid_id__in=grid_family(grid))
    qs = qs.select_related("household__dwelling").prefetch_related("care_tags").order_by("household__dwelling__path", "household_id", "id")
    count = 0
    full_ids = 0

    def rows():
        nonlocal count, full_ids
        for r in qs.iterator(chunk_size=2000):
            count += 1
            parts = ([*r.household.dwelling.address.rsplit(" ", 3), "", "", "", ""])[:4]
            reveal_id = access.can_reveal(scope, r, "id_number")
            reveal_phone = access.can_reveal(scope, r, "phone")
            show_care = access.can_see_care(scope, r)
            full_ids += reveal_id
            yield [
                r.household.number,
                *parts,
                r.name,
                r.get_gender_display(),
                r.id_number if reveal_id else r.id_number_masked,
                r.phone if reveal_phone else r.phone_masked,
                r.get_relationship_display(),
                r.get_registration_display(),
                "，".join(t.name for t in r.care_tags.all() if show_care or not t.sensitive),
            ]

    with reporting():  # the rows may come from the replica; the audit entry goes to the primary
        content = excel.export_workbook(rows())
    with transaction.atomic():
        audit.record(
            actor=actor,
            action="export",
            target_type="registry.resident",
            target_id=f"grid:{grid.pk}" if grid else "",
            note=f"rows={count} unmasked_ids={full_ids}",
        )
    return content, count
