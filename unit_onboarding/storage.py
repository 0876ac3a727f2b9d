"""Where files live: private documents and public profile images (S3 when configured, else local disk)."""

from __future__ import annotations

from django.core.files.storage import Storage, storages
from django.core.signals import setting_changed
from django.utils.functional import LazyObject, empty


class _NamedStorage(LazyObject):
    """Resolves settings.STORAGES[alias] when first used (and again after STORAGES changes in tests)."""

    def __init__(self, alias: str) -> None:
        super().__init__()
        self.__dict__["_alias"] = alias

    def _setup(self) -> None:
        self._wrapped = storages[self.__dict__["_alias"]]


_DOCUMENTS = _NamedStorage("documents")
_PUBLIC = _NamedStorage("default")


def _forget(*, setting: str, **_kwargs) -> None:
    if setting in {"STORAGES", "MEDIA_ROOT"}:
        _DOCUMENTS._wrapped = empty
        _PUBLIC._wrapped = empty


setting_changed.connect(_forget)


def document_storage() -> Storage:
    """Private: never served directly, only through short-lived links (see documents.py)."""
    return _DOCUMENTS


def public_storage() -> Storage:
    return _PUBLIC
