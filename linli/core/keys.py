"""The field keys in use: fingerprints, a proof that they decrypt what is stored, and rotation.

Rotation without downtime (docs/OPERATIONS.md):

1. Pin the digests: set ``LINLI_DIGEST_KEY`` to the key that is first today (digests — look-ups,
   tracking links, Open311 keys — must not move with the encryption key).
2. Put a new key first: ``LINLI_FIELD_KEYS=NEW,OLD`` on every server, restarted one by one.
   From then on every write encrypts with NEW and every read decrypts either.
3. ``manage.py rotate_field_keys`` re-encrypts every stored value under NEW, in small
   transactions, each row changed only if it still holds what was read (a concurrent write,
   already under NEW, is never overwritten), then proves that NEW alone decrypts everything.
4. Drop OLD from ``LINLI_FIELD_KEYS``.

Every encrypted column is found from the models (each ``EncryptedCharField``), so a new one is
covered without a list to keep.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from dataclasses import dataclass

from cryptography.fernet import Fernet, InvalidToken
from django.apps import apps
from django.conf import settings
from django.db import connections, transaction

from linli.core import audit, crypto

BATCH = 500


class FieldKeyError(Exception):
    """The keys in use cannot do what was asked; the message names the table and column."""


@dataclass(frozen=True)
class EncryptedColumn:
    table: str
    pk: str
    column: str

    def __str__(self) -> str:
        return f"{self.table}.{self.column}"


def encrypted_columns() -> list[EncryptedColumn]:
    found = []
    for model in apps.get_models():
        if model._meta.proxy or not model._meta.managed:
            continue
        for field in model._meta.concrete_fields:
            if isinstance(field, crypto.EncryptedCharField):
                found.append(EncryptedColumn(model._meta.db_table, model._meta.pk.column, field.column))
    return sorted(found, key=str)


def fingerprints() -> list[str]:
    """Short hashes naming the keys (never the keys), first the one that encrypts."""
    return [hashlib.sha256(b"linli-key-id:" + key).hexdigest()[:16] for key in crypto._keys()]


def digest_fingerprint() -> str:
    return hashlib.sha256(b"linli-key-id:" + crypto._digest_key()).hexdigest()[:16]


def _batches(column: EncryptedColumn, using: str) -> Iterator[list[tuple[int, str]]]:
    connection = connections[using]
    q = connection.ops.quote_name
    last = None
    while True:
        with connection.cursor() as cursor:
            after = f"AND {q(column.pk)} > %s" if last is not None else ""
            cursor.execute(
                f"SELECT {q(column.pk)}, {q(column.column)} FROM {q(column.table)} "
                f"WHERE {q(column.column)} IS NOT NULL AND {q(column.column)} <> '' {after} "
                f"ORDER BY {q(column.pk)} LIMIT {BATCH}",
                [last] if last is not None else [],
            )
            rows = cursor.fetchall()
        if not rows:
            return
        yield rows
        last = rows[-1][0]


def check_decryptable(*, using: str = "default", first_key_only: bool = False) -> int:
    """How many stored values the keys decrypt; raises naming every column where some do not.
    With ``first_key_only`` the first key alone must do it (the end of a rotation)."""
    fernet = Fernet(crypto._keys()[0]) if first_key_only else crypto._fernet()
    decrypted, failures = 0, []
    for column in encrypted_columns():
        failed = 0
        for rows in _batches(column, using):
            for _pk, token in rows:
                try:
                    fernet.decrypt(token.encode())
                    decrypted += 1
                except InvalidToken:
                    failed += 1
        if failed:
            failures.append(f"{column}: {failed} values")
    if failures:
        which = "the first field key" if first_key_only else "the field keys in use"
        raise FieldKeyError(f"{which} cannot decrypt " + "; ".join(failures))
    return decrypted


def check_digests_pinned(*, using: str = "default", sample: int = 200) -> None:
    """Refuse to rotate while digests would move: wherever an encrypted field keeps its look-up
    digest beside it (``<field>_digest``, e.g. a resident's ID number), the stored digest must
    equal the digest computed now — LINLI_DIGEST_KEY is the key that made them."""
    for model in apps.get_models():
        names = {f.name for f in model._meta.concrete_fields}
        for field in model._meta.concrete_fields:
            if not isinstance(field, crypto.EncryptedCharField) or f"{field.name}_digest" not in names:
                continue
            digest_name = f"{field.name}_digest"
            rows = model.objects.using(using).exclude(**{digest_name: ""}).values_list(field.name, digest_name)[:sample]
            if any(crypto.digest(value) != stored for value, stored in rows):
                raise FieldKeyError(
                    "stored digests were made with another key: set LINLI_DIGEST_KEY to the field key that was first "
                    "before this rotation began, restart, and run again"
                )
    if not settings.LINLI_DIGEST_KEY and len(crypto._keys()) > 1:
        raise FieldKeyError("set LINLI_DIGEST_KEY (the key that was first before the rotation) before rotating")


def rotate(*, using: str = "default") -> dict[str, int]:
    """Re-encrypt every stored value under the first key; returns rows changed per column."""
    if len(crypto._keys()) < 2:
        raise FieldKeyError("put the new key first in LINLI_FIELD_KEYS, followed by the old ones")
    check_digests_pinned(using=using)
    first, every = Fernet(crypto._keys()[0]), crypto._fernet()
    connection = connections[using]
    q = connection.ops.quote_name
    changed: dict[str, int] = {}
    for column in encrypted_columns():
        count = 0
        for rows in _batches(column, using):
            updates = []
            for pk, token in rows:
                try:
                    first.decrypt(token.encode())
                    continue  # already under the new key
                except InvalidToken:
                    pass
                updates.append((every.rotate(token.encode()).decode(), pk, token))
            if not updates:
                continue
            with transaction.atomic(using=using), connection.cursor() as cursor:
                for new, pk, old in updates:
                    cursor.execute(
                        f"UPDATE {q(column.table)} SET {q(column.column)} = %s WHERE {q(column.pk)} = %s AND {q(column.column)} = %s",
                        [new, pk, old],
                    )
                    count += cursor.rowcount
        changed[str(column)] = count
    check_decryptable(using=using, first_key_only=True)
    audit.record(
        actor=None,
        action="update",
        target_type="core.field_keys",
        target_id=fingerprints()[0],
        note=" ".join(f"{column}={count}" for column, count in changed.items()),
    )
    return changed
