"""Backups that can be restored, and proof that they were.

A backup is a folder:

- ``database.dump`` — PostgreSQL's custom format (``pg_dump -Fc``: one snapshot, so consistent
  while Linli keeps serving), or ``database.sqlite3`` (SQLite's online backup API);
- ``media.tar`` — the uploaded files (appeal photos, wish proofs, reports);
- ``manifest.json`` — when, from which vendor and migration state, the row count and a checksum of
  every table, fingerprints of the field keys in use (never the keys), and how many encrypted
  values the keys were seen to decrypt.

The backup refuses to finish when the keys in use cannot decrypt every encrypted value: a dump
whose ID numbers nobody can read is not a backup. ``restore`` loads a backup into an *empty*
database and media folder, then recounts and re-checksums every table against the manifest
and decrypts again with the keys configured where it was restored.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import time
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.db import connections
from django.db.migrations.recorder import MigrationRecorder
from django.utils import timezone

from linli.core import audit, keys

MANIFEST = "manifest.json"
MEDIA = "media.tar"
PG_DUMP = "database.dump"
SQLITE_DUMP = "database.sqlite3"


class BackupError(Exception):
    """The backup or restore cannot be trusted; the message says why."""


# --- table fingerprints -------------------------------------------------------------------


def table_fingerprints(using: str = "default") -> dict[str, dict[str, object]]:
    """Row count and an order-independent checksum of every table: two databases with equal
    fingerprints hold the same rows, whatever order they were written in."""
    connection = connections[using]
    result = {}
    with connection.cursor() as cursor:
        for table in sorted(connection.introspection.table_names(cursor)):
            quoted = connection.ops.quote_name(table)
            if connection.vendor == "postgresql":
                cursor.execute(
                    f"SELECT count(*), coalesce(md5(string_agg(h, '' ORDER BY h)), '') FROM (SELECT md5(t::text) AS h FROM {quoted} t) rows"
                )
                count, checksum = cursor.fetchone()
            else:
                cursor.execute(f"SELECT * FROM {quoted}")
                hashes = sorted(hashlib.md5(repr(row).encode()).hexdigest() for row in cursor.fetchall())
                count, checksum = len(hashes), hashlib.md5("".join(hashes).encode()).hexdigest() if hashes else ""
            result[table] = {"rows": count, "checksum": checksum}
    return result


def compare_fingerprints(expected: dict, found: dict) -> list[str]:
    """What differs, table by table (empty when equal)."""
    problems = []
    for table in sorted(set(expected) | set(found)):
        if table not in found:
            problems.append(f"{table}: missing")
        elif table not in expected:
            problems.append(f"{table}: not in the backup")
        elif expected[table] != found[table]:
            problems.append(f"{table}: {expected[table]['rows']} rows expected, {found[table]['rows']} found, checksums differ")
    return problems


# --- backup -------------------------------------------------------------------------------


def _decryptable(using: str) -> int:
    try:
        return keys.check_decryptable(using=using)
    except keys.FieldKeyError as e:
        raise BackupError(str(e)) from None


@dataclass(frozen=True)
class BackupResult:
    folder: Path
    tables: int
    rows: int
    decrypted: int
    size_bytes: int
    seconds: float


def _pg_env(db: dict) -> tuple[list[str], dict[str, str]]:
    args = ["--host", db.get("HOST") or "localhost", "--port", str(db.get("PORT") or 5432), "--username", db.get("USER") or "postgres"]
    env = dict(os.environ)
    if db.get("PASSWORD"):
        env["PGPASSWORD"] = db["PASSWORD"]
    return args, env


def _run(cmd: list[str], env: dict[str, str]) -> None:
    done = subprocess.run(cmd, env=env, capture_output=True, text=True)
    if done.returncode != 0:
        raise BackupError(f"{cmd[0]} failed: {done.stderr.strip()[-2000:]}")


def _migration_state(using: str) -> dict[str, str]:
    latest: dict[str, str] = {}
    for app, name in MigrationRecorder(connections[using]).migration_qs.order_by("app", "name").values_list("app", "name"):
        latest[app] = name
    return latest


def backup_write(*, to: Path, using: str = "default") -> BackupResult:
    """Write a new backup folder under ``to`` and return what it holds."""
    started = time.monotonic()
    connection = connections[using]
    db = connection.settings_dict
    # Decrypt first: a backup the keys in use cannot read is refused before anything is written.
    decrypted = _decryptable(using)
    folder = Path(to) / timezone.localtime().strftime("linli-%Y%m%d-%H%M%S")
    # Names, ID numbers (encrypted) and photos: readable by the owner only.
    Path(to).mkdir(parents=True, exist_ok=True)
    folder.mkdir(mode=0o700, exist_ok=False)
    try:
        if connection.vendor == "postgresql":
            args, env = _pg_env(db)
            # The fingerprints are taken in the same snapshot pg_dump exports, so they describe
            # exactly the rows in the dump even while Linli goes on writing.
            with connection.cursor() as cursor:
                cursor.execute("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
                try:
                    cursor.execute("SELECT pg_export_snapshot()")
                    snapshot = cursor.fetchone()[0]
                    _run(["pg_dump", *args, "--format=custom", f"--snapshot={snapshot}", "--file", str(folder / PG_DUMP), db["NAME"]], env)
                    tables = table_fingerprints(using)
                finally:
                    cursor.execute("ROLLBACK")
        elif connection.vendor == "sqlite":
            connection.ensure_connection()
            target = sqlite3.connect(folder / SQLITE_DUMP)
            try:
                connection.connection.backup(target)
            finally:
                target.close()
            tables = table_fingerprints(using)
        else:
            raise BackupError(f"no backup for {connection.vendor}")
        with tarfile.open(folder / MEDIA, "w") as tar:
            if Path(settings.MEDIA_ROOT).exists():
                tar.add(settings.MEDIA_ROOT, arcname="media")
        manifest = {
            "format": 1,
            "created": timezone.now().isoformat(),
            "vendor": connection.vendor,
            "migrations": _migration_state(using),
            "field_keys": keys.fingerprints(),
            "digest_key": keys.digest_fingerprint(),
            "decrypted_values": decrypted,
            "tables": tables,
        }
        (folder / MANIFEST).write_text(json.dumps(manifest, indent=1, sort_keys=True))
        for part in folder.iterdir():
            part.chmod(0o600)
    except BaseException:
        shutil.rmtree(folder, ignore_errors=True)
        raise
    size = sum(p.stat().st_size for p in folder.iterdir())
    rows = sum(t["rows"] for t in tables.values())
    # A copy of every resident's record left the database: audited as an export (counts, no values).
    audit.record(actor=None, action="export", target_type="ops.backup", target_id=folder.name, note=f"tables={len(tables)} rows={rows}")
    return BackupResult(folder, len(tables), rows, decrypted, size, time.monotonic() - started)


# --- restore ------------------------------------------------------------------------------


@dataclass(frozen=True)
class RestoreResult:
    tables: int
    rows: int
    decrypted: int
    media_files: int
    seconds: float


def backup_restore(*, source: Path, using: str = "default") -> RestoreResult:
    """Load ``source`` into the (empty) database ``using`` and the (empty) media folder, then
    prove the result equals the manifest."""
    started = time.monotonic()
    source = Path(source)
    try:
        manifest = json.loads((source / MANIFEST).read_text())
    except (OSError, ValueError) as e:
        raise BackupError(f"{source} has no readable {MANIFEST}: {e}") from None
    missing_keys = set(manifest["field_keys"]) - set(keys.fingerprints())
    if missing_keys or manifest["digest_key"] != keys.digest_fingerprint():
        raise BackupError(
            "the field keys configured here are not the ones the backup was written with "
            f"(set LINLI_FIELD_KEYS and LINLI_DIGEST_KEY as on the source; key fingerprints expected: {sorted(manifest['field_keys'])})"
        )
    connection = connections[using]
    if manifest["vendor"] != connection.vendor:
        raise BackupError(f"the backup is of {manifest['vendor']}, this database is {connection.vendor}")
    with connection.cursor() as cursor:
        existing = connection.introspection.table_names(cursor)
    if existing:
        raise BackupError(f"the database is not empty ({len(existing)} tables): restore only into an empty one")
    media_root = Path(settings.MEDIA_ROOT)
    if media_root.exists() and any(media_root.iterdir()):
        raise BackupError(f"{media_root} is not empty: restore only into an empty media folder")

    db = connection.settings_dict
    if connection.vendor == "postgresql":
        args, env = _pg_env(db)
        connection.close()
        _run(
            [
                "pg_restore",
                *args,
                "--no-owner",
                "--no-privileges",
                "--exit-on-error",
                "--single-transaction",
                "--dbname",
                db["NAME"],
                str(source / PG_DUMP),
            ],
            env,
        )
    else:
        connection.ensure_connection()
        backup = sqlite3.connect(source / SQLITE_DUMP)
        try:
            backup.backup(connection.connection)
        finally:
            backup.close()
    media_files = 0
    with tarfile.open(source / MEDIA) as tar:
        members = [m for m in tar.getmembers() if m.name == "media" or m.name.startswith("media/")]
        media_root.parent.mkdir(parents=True, exist_ok=True)
        tar.extractall(media_root.parent, members=members, filter="data")
        media_files = sum(1 for m in members if m.isfile())
        if media_root.name != "media":
            extracted = media_root.parent / "media"
            extracted.rename(media_root)

    found = table_fingerprints(using)
    problems = compare_fingerprints(manifest["tables"], found)
    if problems:
        raise BackupError("the restored database differs from the backup: " + "; ".join(problems[:20]))
    decrypted = _decryptable(using)
    if decrypted != manifest["decrypted_values"]:
        raise BackupError(f"{manifest['decrypted_values']} encrypted values in the backup, {decrypted} decrypted after restore")
    return RestoreResult(len(found), sum(t["rows"] for t in found.values()), decrypted, media_files, time.monotonic() - started)
