"""Storage backends of the project that Django and django-storages do not provide."""

from __future__ import annotations

from django.core.files.storage import FileSystemStorage


class PrivateFileSystemStorage(FileSystemStorage):
    """Files on local disk outside MEDIA_ROOT: they have no URL, so nothing can link to them."""

    def url(self, name: str | None) -> str:
        raise ValueError("private files have no public URL; serve them through a view that checks access")
