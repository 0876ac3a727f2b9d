"""Encrypts secrets stored in the database (Fernet; several keys allow rotation)."""

from __future__ import annotations

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings


def _fernet() -> MultiFernet:
    return MultiFernet([Fernet(key.encode()) for key in settings.FIELD_ENCRYPTION_KEYS])


def encrypt(plaintext: str) -> str:
    return _fernet().encrypt(plaintext.encode()).decode()


def decrypt(ciphertext: str) -> str:
    """Decrypt with any configured key; a value no key opens raises ValueError, never returns garbage."""
    try:
        return _fernet().decrypt(ciphertext.encode()).decode()
    except InvalidToken as exc:
        raise ValueError(
            "stored secret cannot be decrypted with the configured FIELD_ENCRYPTION_KEYS"
        ) from exc


def encrypted(column: str) -> property:
    """A model property that reads and writes a secret in plain text, stored encrypted in `column`.

    A property (not another descriptor) so that Model(**kwargs) accepts it, as Django allows for properties.
    """

    def read(instance) -> str:
        stored = getattr(instance, column)
        return decrypt(stored) if stored else ""

    def write(instance, value: str) -> None:
        setattr(instance, column, encrypt(value) if value else "")

    return property(read, write)
