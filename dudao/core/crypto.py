"""Personal data encrypted at rest (PIPL; 等保 2.0 level 3 asks for the
confidentiality of important data in storage).

ID and phone numbers are stored as AES-GCM ciphertext (the `cryptography`
package), bound to their column so a value cannot be moved to another one, and
beside each a blind index: a keyed HMAC of the normalised value, which is what
uniqueness and exact lookups use. A database dump therefore holds neither the
numbers nor anything a dictionary of all 10^17 ID numbers could be checked
against without the key.

Keys come from DUDAO_DATA_KEYS: "kid:base64-32-bytes[,kid:…]", the first being
the current one. Every stored value names its key id, so older keys keep
decrypting while `manage.py rotate_data_key` re-encrypts row by row; lookups
try the blind index under every listed key until rotation is complete.
"""

import base64
import hashlib
import hmac
import os
from dataclasses import dataclass
from functools import cache

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings
from django.core.exceptions import FieldError, ImproperlyConfigured
from django.db import models

NONCE_BYTES = 12


@dataclass(frozen=True)
class DataKey:
    kid: str
    encryption: bytes
    index: bytes


def _derive(secret: bytes, info: bytes) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=info).derive(secret)


@cache
def _parse(spec: str) -> tuple[DataKey, ...]:
    keys = []
    for part in (p.strip() for p in spec.split(",")):
        if not part:
            continue
        kid, sep, encoded = part.partition(":")
        if not sep or not kid.isalnum():
            raise ImproperlyConfigured("DUDAO_DATA_KEYS: each key is kid:base64 with an alphanumeric kid")
        secret = base64.b64decode(encoded)
        if len(secret) != 32:
            raise ImproperlyConfigured(f"DUDAO_DATA_KEYS: key {kid} must be 32 bytes")
        keys.append(DataKey(kid, _derive(secret, b"dudao encryption"), _derive(secret, b"dudao blind index")))
    if not keys:
        raise ImproperlyConfigured("DUDAO_DATA_KEYS holds no key")
    if len({k.kid for k in keys}) != len(keys):
        raise ImproperlyConfigured("DUDAO_DATA_KEYS: key ids must differ")
    return tuple(keys)


def keys() -> tuple[DataKey, ...]:
    return _parse(settings.DUDAO_DATA_KEYS)


def current_key() -> DataKey:
    return keys()[0]


def encrypt(plaintext: str, *, purpose: str, key: DataKey | None = None) -> str:
    key = key or current_key()
    nonce = os.urandom(NONCE_BYTES)
    sealed = AESGCM(key.encryption).encrypt(nonce, plaintext.encode(), purpose.encode())
    return f"{key.kid}${base64.b64encode(nonce + sealed).decode()}"


class DecryptionError(ValueError):
    pass


def key_id(token: str) -> str:
    return token.partition("$")[0]


def decrypt(token: str, *, purpose: str) -> str:
    kid, sep, encoded = token.partition("$")
    found = next((k for k in keys() if k.kid == kid), None)
    if not sep or found is None:
        raise DecryptionError(f"no key {kid!r} for a stored {purpose}")
    raw = base64.b64decode(encoded)
    try:
        return AESGCM(found.encryption).decrypt(raw[:NONCE_BYTES], raw[NONCE_BYTES:], purpose.encode()).decode()
    except InvalidTag as exc:
        raise DecryptionError(f"a stored {purpose} does not decrypt") from exc


def blind_index(value: str, *, purpose: str, key: DataKey | None = None) -> str:
    key = key or current_key()
    return hmac.new(key.index, f"{purpose}\0{value}".encode(), hashlib.sha256).hexdigest()


def blind_indexes(value: str, *, purpose: str) -> list[str]:
    """The value's index under every listed key: what an exact lookup matches
    while a rotation is under way."""
    return [blind_index(value, purpose=purpose, key=k) for k in keys()]


class EncryptedTextField(models.TextField):
    """Plain text in Python, ciphertext in the database. It cannot be looked up
    (the ciphertext is randomised): filter on its BlindIndexField instead."""

    def __init__(self, *args, purpose: str = "", **kwargs):
        self.purpose = purpose
        super().__init__(*args, **kwargs)
        if self.max_length is not None:
            from django.core.validators import MaxLengthValidator

            self.validators.append(MaxLengthValidator(self.max_length))

    def deconstruct(self):
        name, path, args, kwargs = super().deconstruct()
        kwargs["purpose"] = self.purpose
        return name, path, args, kwargs

    def from_db_value(self, value, expression, connection):
        if not value:
            return value or ""
        return decrypt(value, purpose=self.purpose)

    def get_prep_value(self, value):
        value = super().get_prep_value(value)
        if value is None or value == "":
            return value
        return encrypt(str(value), purpose=self.purpose)

    def formfield(self, **kwargs):
        # A one-line input, not the textarea a TextField would get.
        from django import forms

        return super().formfield(**{"form_class": forms.CharField, "widget": forms.TextInput, **kwargs})

    def get_lookup(self, lookup_name):
        if lookup_name == "isnull":
            return super().get_lookup(lookup_name)
        raise FieldError(f"{self.name} is encrypted: look it up through its blind index")


class BlindIndexField(models.CharField):
    """The keyed HMAC of another field's value (None when it is empty), set
    whenever the row is saved or bulk-inserted."""

    def __init__(self, *args, source: str = "", purpose: str = "", **kwargs):
        self.source, self.purpose = source, purpose
        kwargs.setdefault("max_length", 64)
        kwargs.setdefault("editable", False)
        kwargs.setdefault("null", True)
        super().__init__(*args, **kwargs)

    def deconstruct(self):
        name, path, args, kwargs = super().deconstruct()
        kwargs["source"], kwargs["purpose"] = self.source, self.purpose
        for key, default in (("max_length", 64), ("editable", False), ("null", True)):
            if kwargs.get(key) == default:
                kwargs.pop(key)
        return name, path, args, kwargs

    def pre_save(self, model_instance, add):
        value = getattr(model_instance, self.source)
        index = blind_index(value, purpose=self.purpose) if value else None
        setattr(model_instance, self.attname, index)
        return index
