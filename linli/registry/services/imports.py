"""The Excel import of a community's registry: stored, then validated and written by the worker in one transaction."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from django_tasks import task

from linli.accounts.models import User
from linli.accounts.scope import scope_for
from linli.core import audit
from linli.core.models import AuditEntry
from linli.registry import access
from linli.registry.models import (
    CareTag,
    Household,
    ImportJob,
    Place,
    PlaceKind,
    Resident,
)
from linli.registry.services.common import _require
from linli.registry.services.people import RESIDENT_AUDIT_FIELDS, _audit_masks, clean_resident_fields, resident_update
from linli.registry.services.places import place_create

# ---- Excel import --------------------------------------------------------------------


def import_job_create(*, actor: User, community: Place, upload) -> ImportJob:
    """Store the uploaded file and queue its import. Nothing is read here: the worker does it."""
    _require(access.can_import(scope_for(actor), community))
    if not upload.name.lower().endswith(".xlsx"):
        raise ValidationError({"file": _("请上传 .xlsx 格式的文件。")})
    if upload.size > settings.LINLI_IMPORT_MAX_BYTES:
        raise ValidationError({"file": _("文件过大。")})
    with transaction.atomic():
        job = ImportJob.objects.create(community=community, created_by=actor, file=upload, original_name=upload.name[:200])
        transaction.on_commit(lambda: run_import.enqueue(job.pk))
    return job


def _progress(job: ImportJob, **fields) -> None:
    # Outside the import's transaction, so the progress page sees it while the file is read.
    ImportJob.objects.filter(pk=job.pk).update(**fields)
    for k, v in fields.items():
        setattr(job, k, v)


@task()
def run_import(job_id: int) -> str:
    """The worker's part (``manage.py db_worker``)."""
    return import_job_run(job_id=job_id).status


def import_job_run(*, job_id: int) -> ImportJob:
    """Validate every row, then import all of them in one transaction, or none."""
    job = ImportJob.objects.select_related("community", "created_by").get(pk=job_id)
    claimed = ImportJob.objects.filter(pk=job.pk, status=ImportJob.Status.PENDING).update(status=ImportJob.Status.VALIDATING)
    if not claimed:
        return job  # another worker has it, or it already ran
    job.status = ImportJob.Status.VALIDATING
    try:
        return _import_job_process(job)
    finally:
        # The sheet holds full ID numbers and phones: it is not kept once read, whatever the outcome.
        import_file_discard(job=job)


def import_file_discard(*, job: ImportJob) -> None:
    if job.file:
        job.file.delete(save=False)
    ImportJob.objects.filter(pk=job.pk).update(file="")


def _import_job_process(job: ImportJob) -> ImportJob:
    from linli.registry import excel

    try:
        plan = _import_validate(job, excel)
        if job.errors:
            _progress(job, status=ImportJob.Status.INVALID, finished_at=timezone.now())
            return job
        _progress(job, status=ImportJob.Status.IMPORTING)
        created, updated = _import_write(job, plan)
        _progress(job, status=ImportJob.Status.DONE, created_count=created, updated_count=updated, finished_at=timezone.now())
    except ValidationError as e:
        _progress(
            job,
            status=ImportJob.Status.INVALID,
            errors=[{"row": 0, "column": "", "message": m} for m in e.messages],
            finished_at=timezone.now(),
        )
    except Exception:
        _progress(
            job,
            status=ImportJob.Status.FAILED,
            errors=[{"row": 0, "column": "", "message": _("导入时发生系统错误，未导入任何数据。")}],
            finished_at=timezone.now(),
        )
        raise
    return job


MAX_REPORTED_ERRORS = 2000


def _import_validate(job: ImportJob, excel) -> dict:
    community = job.community
    actor = job.created_by
    with job.file.open("rb") as fh:
        total, rows = excel.read_rows(fh)
        _progress(job, total_rows=total, processed_rows=0)
        choices = excel.ChoiceReader()
        units = {p.address: p for p in Place.objects.filter(community=community, kind=PlaceKind.UNIT)}
        dwellings = {p.address: p for p in Place.objects.filter(community=community, kind=PlaceKind.DWELLING)}
        tags = {t.name: t for t in CareTag.objects.all()} | {t.code: t for t in CareTag.objects.all()}
        households = {
            h.number: h for h in Household.objects.filter(dwelling__community=community).exclude(number="").select_related("dwelling")
        }
        scope = scope_for(actor)
        errors: list[dict] = []
        planned: list[dict] = []
        seen_ids: dict[str, int] = {}
        household_address: dict[str, str] = {}
        labels = {k: str(h) for k, h, _r in excel.COLUMNS}

        def err(row, key, msgid, **params):
            """Each error keeps its message id, column key and values, so the page shows it in
            the reader's language (``registry_tags.import_error``); ``message`` is the text now."""
            if len(errors) < MAX_REPORTED_ERRORS:
                errors.append(
                    {
                        "row": row,
                        "key": key,
                        "column": labels.get(key, key),
                        "msg": str(msgid),
                        "params": {k: str(v) for k, v in params.items()},
                        "message": _(str(msgid)) % params if params else _(str(msgid)),
                    }
                )

        count = 0
        for parsed in rows:
            count += 1
            v = parsed.values
            row = parsed.row
            for key, _h, required in excel.COLUMNS:
                if required and not v.get(key):
                    err(row, key, gettext_noop("必填"))
                elif key not in ("phone", "id_number") and excel.looks_like_formula(v.get(key, "")):
                    # Imported text is exported again: a formula would run in the next reader's Excel.
                    err(row, key, gettext_noop("不能以 = + - @ 开头（疑似公式），请粘贴为数值后再导入"))
            relationship = choices.relationship_of(v.get("relationship", ""))
            if v.get("relationship") and relationship is None:
                err(row, "relationship", gettext_noop("无法识别：%(v)s"), v=v["relationship"])
            registration = choices.registration_of(v.get("registration", ""))
            if v.get("registration") and registration is None:
                err(row, "registration", gettext_noop("无法识别：%(v)s"), v=v["registration"])
            gender = choices.gender_of(v.get("gender", ""))
            if v.get("gender") and not gender:
                err(row, "gender", gettext_noop("无法识别：%(v)s"), v=v["gender"])
            row_tags = []
            for name in [t.strip() for t in v.get("care_tags", "").replace("，", ",").replace("、", ",").split(",") if t.strip()]:
                if name in tags:
                    row_tags.append(tags[name])
                else:
                    err(row, "care_tags", gettext_noop("未知的关怀标签：%(v)s"), v=name)
            unit_address = " ".join(v.get(k, "") for k in ("compound", "building", "unit"))
            address = f"{unit_address} {v.get('room', '')}"
            if all(v.get(k) for k in ("compound", "building", "unit", "room")):
                if address not in dwellings and unit_address not in units:
                    err(row, "unit", gettext_noop("地点树中没有该单元：%(v)s"), v=unit_address)
            hh = v.get("household", "")
            if hh:
                first = household_address.setdefault(hh, address)
                if first != address:
                    err(row, "household", gettext_noop("同一户号%(h)s出现在不同房屋。"), h=hh)
                elif hh in households and households[hh].dwelling.address != address:
                    err(row, "household", gettext_noop("户号%(h)s已登记在%(a)s。"), h=hh, a=households[hh].dwelling.address)
            cleaned = None
            if v.get("name") and relationship and registration:
                try:
                    cleaned = clean_resident_fields(
                        name=v["name"],
                        gender=gender,
                        id_number=v.get("id_number", ""),
                        phone=v.get("phone", ""),
                        registration=registration,
                        relationship=relationship,
                    )
                except ValidationError as e:
                    for key, messages in e.message_dict.items():
                        err(row, key, messages[0])
            if cleaned and cleaned["id_number_digest"]:
                earlier = seen_ids.setdefault(cleaned["id_number_digest"], row)
                if earlier != row:
                    err(row, "id_number", gettext_noop("与第%(r)s行的身份证号码重复。"), r=earlier)
            if cleaned:
                planned.append(
                    {
                        "row": row,
                        "fields": cleaned,
                        "tags": row_tags,
                        "household": hh,
                        "address": address,
                        "unit_address": unit_address,
                        "room": v.get("room", ""),
                    }
                )
            if count % 500 == 0:
                _progress(job, processed_rows=count)
        if count == 0:
            err(0, "", gettext_noop("文件中没有数据行。"))
        # Existing residents matched by ID number: update if in scope, refuse otherwise.
        digests = [p["fields"]["id_number_digest"] for p in planned if p["fields"]["id_number_digest"]]
        existing: dict[str, Resident] = {}
        for i in range(0, len(digests), 900):
            for r in Resident.objects.filter(id_number_digest__in=digests[i : i + 900]).select_related("household__dwelling"):
                existing[r.id_number_digest] = r
        for p in planned:
            r = existing.get(p["fields"]["id_number_digest"])
            if r is not None and not access.can_edit(scope, r):
                err(p["row"], "id_number", gettext_noop("该身份证号码已在您管辖范围之外登记，请联系所在社区。"))
            p["existing"] = r
        errors.sort(key=lambda e: e["row"])
        _progress(job, processed_rows=count, total_rows=count, errors=errors)
    return {"planned": planned, "units": units, "dwellings": dwellings, "households": households}


def _import_write(job: ImportJob, plan: dict) -> tuple[int, int]:
    actor = job.created_by
    created = updated = 0
    with transaction.atomic():
        dwellings = plan["dwellings"]
        households = plan["households"]
        for p in plan["planned"]:
            if p["address"] not in dwellings:
                unit = Place.objects.get(pk=plan["units"][p["unit_address"]].pk)
                dwellings[p["address"]] = place_create(actor=actor, parent=unit, kind=PlaceKind.DWELLING, name=p["room"])
            dwelling = dwellings[p["address"]]
            hh = p["household"]
            if hh not in households:
                households[hh] = Household.objects.create(dwelling=dwelling, number=hh)
        new_residents, tag_rows, entries = [], [], []
        for p in plan["planned"]:
            household = households[p["household"]]
            existing = p["existing"]
            if existing is None:
                new_residents.append((Resident(household=household, **p["fields"]), p["tags"]))
            else:
                resident_update(
                    actor=actor,
                    resident=existing,
                    household=household,
                    care_tags=p["tags"],
                    **{k: p["fields"][k] for k in ("name", "gender", "id_number", "phone", "registration", "relationship")},
                )
                updated += 1
        made = Resident.objects.bulk_create([r for r, _t in new_residents], batch_size=1000)
        through = Resident.care_tags.through
        for resident, (_r, tags) in zip(made, new_residents, strict=True):
            tag_rows.extend(through(resident_id=resident.pk, caretag_id=t.pk) for t in tags)
            entries.append(
                AuditEntry(
                    actor=actor,
                    action="create",
                    target_type="registry.resident",
                    target_id=str(resident.pk),
                    target_label=resident.audit_label,
                    note=f"import #{job.pk}",
                    changes=audit.diff(
                        {},
                        audit.snapshot(resident, RESIDENT_AUDIT_FIELDS, masked=_audit_masks(resident)),
                    ),
                )
            )
        through.objects.bulk_create(tag_rows, batch_size=2000)
        AuditEntry.objects.bulk_create(entries, batch_size=1000)
        created = len(made)
        audit.record(actor=actor, action="import", target=job, note=f"created={created} updated={updated}")
    return created, updated
