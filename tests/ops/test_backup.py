"""Backup → restore into an empty database elsewhere → every table equal (rows and checksums),
uploaded files back, encrypted values readable; and the refusals that keep a bad backup or a
bad restore from passing as good. On SQLite and, in the PostgreSQL pass, with pg_dump/pg_restore.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import uuid
from pathlib import Path

import psycopg
import pytest
from django.conf import settings
from django.db import connection

from linli.core import crypto, keys
from linli.core.models import AuditEntry
from linli.ops.backup import BackupError, backup_restore, backup_write, table_fingerprints
from tests.appeals.test_photos import jpeg_with_gps, upload

ROOT = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "source-media"
    return settings


@pytest.fixture
def restore_elsewhere(tmp_path):
    """``manage.py restore`` in another process, into a new empty database of the same vendor
    and an empty data folder, with the same keys: what an operator does on a spare machine."""
    source = connection.settings_dict
    created = []

    def run(folder: Path) -> tuple[subprocess.CompletedProcess, Path]:
        data = tmp_path / f"restored-{len(created)}"
        if connection.vendor == "postgresql":
            name = f"linli_restore_{uuid.uuid4().hex[:10]}"
            with psycopg.connect(
                host=source["HOST"] or "localhost", port=source["PORT"] or 5432, user=source["USER"], dbname="postgres", autocommit=True
            ) as admin:
                admin.execute(f'CREATE DATABASE "{name}"')
            created.append(name)
            url = f"postgres://{source['USER']}@{source['HOST'] or 'localhost'}:{source['PORT'] or 5432}/{name}"
        else:
            created.append(None)
            url = f"sqlite:///{data / 'restored.sqlite3'}"
        env = {k: v for k, v in os.environ.items() if not k.startswith(("LINLI_", "DATABASE_URL"))}
        env.update(DATABASE_URL=url, LINLI_DATA_DIR=str(data), DJANGO_SECRET_KEY=settings.SECRET_KEY)
        done = subprocess.run(
            [sys.executable, "manage.py", "restore", "--from", str(folder)], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300
        )
        return done, data

    yield run
    for name in filter(None, created):
        with psycopg.connect(
            host=source["HOST"] or "localhost", port=source["PORT"] or 5432, user=source["USER"], dbname="postgres", autocommit=True
        ) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _with_photo(world, new_appeal):
    appeal = new_appeal(photos=[upload(jpeg_with_gps())])
    assert appeal.photos.count() == 1
    return appeal


def test_backup_then_restore_elsewhere_is_equal_table_by_table(world, new_appeal, media, tmp_path, restore_elsewhere):
    appeal = _with_photo(world, new_appeal)
    before = table_fingerprints()
    result = backup_write(to=tmp_path / "backups")
    manifest = json.loads((result.folder / "manifest.json").read_text())
    assert manifest["tables"] == before and result.tables == len(before) > 30
    # 3 residents × (ID number + phone), and what else is sealed: every value decrypted.
    assert result.decrypted >= 6 and manifest["decrypted_values"] == result.decrypted
    assert manifest["field_keys"] == keys.fingerprints()
    entry = AuditEntry.objects.get(target_type="ops.backup")
    assert entry.action == "export" and entry.target_id == result.folder.name and entry.actor is None
    assert result.folder.stat().st_mode & 0o077 == 0 and all(p.stat().st_mode & 0o077 == 0 for p in result.folder.iterdir())
    assert all(k.decode() not in (result.folder / "manifest.json").read_text() for k in crypto._keys())

    done, data = restore_elsewhere(result.folder)
    assert done.returncode == 0, done.stdout + done.stderr
    rows = sum(t["rows"] for t in before.values())
    assert f"restored {len(before)} tables, {rows} rows, 1 files; every table equal to the backup" in done.stdout
    assert f"{result.decrypted} encrypted values decrypted" in done.stdout
    photo = appeal.photos.get()
    assert (data / "media" / photo.image.name).read_bytes() == (tmp_path / "source-media" / photo.image.name).read_bytes()


def test_restore_refuses_a_database_that_is_not_empty(world, media, tmp_path):
    folder = backup_write(to=tmp_path).folder
    media.MEDIA_ROOT = tmp_path / "empty-media"
    with pytest.raises(BackupError, match="not empty"):
        backup_restore(source=folder)


def test_restore_refuses_other_field_keys(world, media, tmp_path, settings):
    folder = backup_write(to=tmp_path).folder
    media.MEDIA_ROOT = tmp_path / "empty-media"
    settings.LINLI_FIELD_KEYS = [crypto.Fernet.generate_key().decode()]
    crypto.reset_key_cache()
    try:
        with pytest.raises(BackupError, match="field keys"):
            backup_restore(source=folder)
    finally:
        settings.LINLI_FIELD_KEYS = []
        crypto.reset_key_cache()


def test_a_tampered_backup_is_caught_on_restore(world, media, tmp_path, restore_elsewhere):
    folder = backup_write(to=tmp_path).folder
    manifest = json.loads((folder / "manifest.json").read_text())
    manifest["tables"]["registry_resident"]["checksum"] = "0" * 32
    (folder / "manifest.json").write_text(json.dumps(manifest))
    done, _data = restore_elsewhere(folder)
    assert done.returncode != 0 and "registry_resident: 3 rows expected, 3 found, checksums differ" in done.stderr


def test_no_backup_when_the_keys_cannot_decrypt_a_value(world, media, tmp_path):
    foreign = crypto.Fernet(crypto.Fernet.generate_key()).encrypt(b"110101199001011234").decode()
    with connection.cursor() as cursor:
        cursor.execute("UPDATE registry_resident SET id_number = %s WHERE id = %s", [foreign, world.far_resident.pk])
    with pytest.raises(BackupError, match=r"registry_resident\.id_number: 1 values"):
        backup_write(to=tmp_path / "b")
    assert not (tmp_path / "b").exists() or not any((tmp_path / "b").iterdir())
