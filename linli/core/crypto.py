"""Encryption at rest for ID numbers and phones, and keyed digests for exact look-ups.

Fernet (AES-128-CBC + HMAC) from ``cryptography`` encrypts; the ciphertext differs every
time, so equality search and uniqueness go through an HMAC-SHA256 digest stored beside it.
Keys come from LINLI_FIELD_KEYS (first one encrypts, all decrypt: rotation, see
``core/keys.py``) or, when unset, are derived from SECRET_KEY.

Digests must not change when the encryption keys rotate (tracking links in SMS, Open311 keys,
the uniqueness of ID numbers all rest on them), so their secret is LINLI_DIGEST_KEY; unset, it
is the first field key, which is what every install used before rotation existed.
"""

import base64
import hashlib
import hmac
from functools import lru_cache

from cryptography.fernet import Fernet, MultiFernet
from django.conf import settings
from django.db import models


@lru_cache(maxsize=1)
def _keys() -> tuple[bytes, ...]:
    if settings.LINLI_FIELD_KEYS:
        return tuple(k.encode() for k in settings.LINLI_FIELD_KEYS)
    derived = hashlib.sha256(b"linli-field-key:" + settings.SECRET_KEY.encode()).digest()
    return (base64.urlsafe_b64encode(derived),)


@lru_cache(maxsize=1)
def _fernet() -> MultiFernet:
    return MultiFernet([Fernet(k) for k in _keys()])


@lru_cache(maxsize=1)
def _digest_key() -> bytes:
    secret = settings.LINLI_DIGEST_KEY.encode() if settings.LINLI_DIGEST_KEY else _keys()[0]
    return hashlib.sha256(b"linli-digest:" + secret).digest()


def reset_key_cache() -> None:
    """After the settings change (tests, a rotation run in one process)."""
    for cached in (_keys, _fernet, _digest_key):
        cached.cache_clear()


def encrypt(value: str) -> str:
    return _fernet().encrypt(value.encode()).decode()


def decrypt(token: str) -> str:
    return _fernet().decrypt(token.encode()).decode()


def digest(value: str) -> str:
    return hmac.new(_digest_key(), value.encode(), hashlib.sha256).hexdigest()


class EncryptedCharField(models.TextField):
    """Stores Fernet ciphertext; Python code sees the clear value. Not searchable by design."""

    def from_db_value(self, value, expression, connection):
        if value is None or value == "":
            return value
        return decrypt(value)

    def get_prep_value(self, value):
        value = super().get_prep_value(value)
        if value is None or value == "":
            return value
        return encrypt(value)
