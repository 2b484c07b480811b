"""Key rotation: every stored ID number and phone re-encrypted under the new key while digests
(look-ups, tracking links) stay put; a write made during the rotation is never overwritten;
afterwards the old key can go."""

from __future__ import annotations

import pytest
from cryptography.fernet import Fernet, InvalidToken
from django.core.management import call_command
from django.db import connection

from linli.appeals.access import tracking_signature
from linli.core import crypto, keys
from linli.core.models import AuditEntry
from linli.registry.models import Resident
from tests.conftest import make_id

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def field_keys(settings):
    def use(field_keys: list[str], digest_key: str = "") -> None:
        settings.LINLI_FIELD_KEYS = field_keys
        settings.LINLI_DIGEST_KEY = digest_key
        crypto.reset_key_cache()

    yield use
    settings.LINLI_FIELD_KEYS, settings.LINLI_DIGEST_KEY = [], ""
    crypto.reset_key_cache()


def _raw(column: str, pk: int) -> str:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {column} FROM registry_resident WHERE id = %s", [pk])
        return cursor.fetchone()[0]


def test_rotation_moves_every_value_to_the_new_key_and_keeps_digests(world, new_appeal, field_keys):
    old, new = crypto._keys()[0].decode(), Fernet.generate_key().decode()
    appeal = new_appeal()
    signature, id_number = tracking_signature(appeal), world.resident.id_number
    field_keys([new, old], digest_key=old)
    # Between restart and rotation: reads decrypt both, writes use the new key, digests unchanged.
    assert tracking_signature(appeal) == signature
    assert Resident.objects.get(id_number_digest=crypto.digest(id_number)).pk == world.resident.pk
    other_id = make_id()
    added = Resident.objects.create(
        household=world.household, name="赵六", id_number=other_id, id_number_digest=crypto.digest(other_id), phone="13611112222"
    )

    changed = keys.rotate()
    assert changed["registry_resident.id_number"] == 3 and changed["registry_resident.phone"] == 3  # not the one written under new
    entry = AuditEntry.objects.get(target_type="core.field_keys")
    assert entry.target_id == keys.fingerprints()[0] and "registry_resident.id_number=3" in entry.note and new not in entry.note

    field_keys([new], digest_key=old)  # the old key removed
    assert keys.check_decryptable(first_key_only=True) >= 8
    assert Resident.objects.get(pk=world.resident.pk).id_number == id_number
    assert Resident.objects.get(pk=added.pk).phone == "13611112222"
    assert Resident.objects.get(id_number_digest=crypto.digest(id_number)).pk == world.resident.pk
    assert tracking_signature(appeal) == signature
    with pytest.raises(InvalidToken):
        Fernet(old.encode()).decrypt(_raw("id_number", world.resident.pk).encode())


def test_a_write_during_the_rotation_is_not_overwritten(world, field_keys, monkeypatch):
    old, new = crypto._keys()[0].decode(), Fernet.generate_key().decode()
    field_keys([new, old], digest_key=old)
    batches = keys._batches

    def racing(column, using):
        for rows in batches(column, using):
            if str(column) == "registry_resident.phone":
                # A worker updates the phone after the rotation read it, before it writes.
                Resident.objects.filter(pk=world.resident.pk).update(phone="13522223333")
            yield rows

    monkeypatch.setattr(keys, "_batches", racing)
    changed = keys.rotate()
    assert changed["registry_resident.phone"] == 2
    assert Resident.objects.get(pk=world.resident.pk).phone == "13522223333"


def test_rotation_refuses_while_digests_would_move(world, field_keys):
    old, new = crypto._keys()[0].decode(), Fernet.generate_key().decode()
    field_keys([new, old])  # LINLI_DIGEST_KEY forgotten: digests now come from the new key
    with pytest.raises(keys.FieldKeyError, match="LINLI_DIGEST_KEY"):
        keys.rotate()
    field_keys([old])
    with pytest.raises(keys.FieldKeyError, match="new key first"):
        keys.rotate()


def test_the_command_prints_a_new_key_and_rotates(world, field_keys, capsys):
    call_command("rotate_field_keys", "--new-key")
    new = capsys.readouterr().out.strip()
    Fernet(new.encode())  # a valid key
    field_keys([new, crypto._keys()[0].decode()], digest_key=crypto._keys()[0].decode())
    call_command("rotate_field_keys")
    out = capsys.readouterr().out
    assert "registry_resident.id_number: 3 re-encrypted" in out and "can be removed" in out
