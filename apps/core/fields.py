"""Model fields for secrets kept encrypted at rest."""

from functools import lru_cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import models


class EncryptionKeyError(ImproperlyConfigured):
    """The stored ciphertext cannot be decrypted with FIELD_ENCRYPTION_KEY."""


@lru_cache(maxsize=4)
def _fernet_for(key_setting: str) -> MultiFernet:
    keys = [key.strip() for key in key_setting.split(",") if key.strip()]
    if not keys:
        raise ImproperlyConfigured("FIELD_ENCRYPTION_KEY is empty.")
    try:
        return MultiFernet([Fernet(key) for key in keys])
    except ValueError as exc:
        raise ImproperlyConfigured(
            "FIELD_ENCRYPTION_KEY must be Fernet keys (32 url-safe base64-encoded bytes), comma-separated."
        ) from exc


def fernet() -> MultiFernet:
    """The MultiFernet for the current settings: the first key encrypts, every key decrypts (rotation)."""
    return _fernet_for(settings.FIELD_ENCRYPTION_KEY)


def encrypt_text(plaintext: str) -> str:
    """Fernet token (ASCII) for a text."""
    return fernet().encrypt(plaintext.encode()).decode("ascii")


def decrypt_text(token: str) -> str:
    """Plaintext of a Fernet token; EncryptionKeyError if no configured key opens it."""
    try:
        return fernet().decrypt(token.encode("ascii")).decode()
    except (InvalidToken, UnicodeEncodeError) as exc:
        raise EncryptionKeyError(
            "An encrypted value cannot be decrypted: FIELD_ENCRYPTION_KEY is wrong, or the key that "
            "encrypted it was removed. During a rotation list the new key first and keep the old one after it."
        ) from exc


class EncryptedTextField(models.TextField):
    """A TextField whose column holds Fernet ciphertext; Python sees plaintext. Empty stays empty."""

    # Ciphertext is randomized, so comparing it in SQL means nothing: only isnull stays available.
    allowed_lookups = frozenset({"isnull"})

    def get_lookup(self, lookup_name):
        if lookup_name not in self.allowed_lookups:
            return None
        return super().get_lookup(lookup_name)

    def get_prep_value(self, value):
        value = super().get_prep_value(value)
        if value is None or value == "":
            return value
        return encrypt_text(str(value))

    def from_db_value(self, value, expression, connection):
        if value is None or value == "":
            return value
        return decrypt_text(value)
