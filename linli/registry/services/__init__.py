"""Every change to the registry, one module a subject: places and grids (``places``), households and
residents (``people``), facilities, organisations and the party organisation (``organisations``), who holds
which post where (``roles``), the Excel import (``imports``) and export (``exports``). Each function is one
action: keyword-only, one transaction, the actor's scope checked, the audit log written (sensitive values
masked). The names are gathered here so that callers write ``services.resident_create``.
"""

from linli.registry.services.exports import residents_export
from linli.registry.services.imports import MAX_REPORTED_ERRORS, import_file_discard, import_job_create, import_job_run
from linli.registry.services.organisations import (
    ORGANISATION_FIELDS,
    facility_create,
    facility_set_status,
    organisation_create,
    organisation_update,
    party_levels,
    party_levels_save,
    party_organisation_create,
    party_organisation_delete,
    party_organisation_update,
)
from linli.registry.services.party import branch_meeting_record, cross_appointment_add, cross_appointment_end
from linli.registry.services.people import (
    FULL_NUMBER_SEARCHES_PER_HOUR,
    RESIDENT_AUDIT_FIELDS,
    SearchThrottled,
    clean_resident_fields,
    household_create,
    name_keys,
    resident_create,
    resident_reveal,
    resident_search_record,
    resident_update,
)
from linli.registry.services.places import (
    GRID_FIELDS,
    grid_assign_buildings,
    grid_create,
    grid_update,
    place_address,
    place_create,
    place_update,
)
from linli.registry.services.roles import person_assign, role_assign, role_remove, role_set_full_time, user_create

__all__ = [
    "FULL_NUMBER_SEARCHES_PER_HOUR",
    "GRID_FIELDS",
    "MAX_REPORTED_ERRORS",
    "ORGANISATION_FIELDS",
    "RESIDENT_AUDIT_FIELDS",
    "SearchThrottled",
    "branch_meeting_record",
    "clean_resident_fields",
    "cross_appointment_add",
    "cross_appointment_end",
    "facility_create",
    "facility_set_status",
    "grid_assign_buildings",
    "grid_create",
    "grid_update",
    "household_create",
    "import_file_discard",
    "import_job_create",
    "import_job_run",
    "name_keys",
    "organisation_create",
    "organisation_update",
    "party_levels",
    "party_levels_save",
    "party_organisation_create",
    "party_organisation_delete",
    "party_organisation_update",
    "person_assign",
    "place_address",
    "place_create",
    "place_update",
    "resident_create",
    "resident_reveal",
    "resident_search_record",
    "resident_update",
    "residents_export",
    "role_assign",
    "role_remove",
    "role_set_full_time",
    "user_create",
]
