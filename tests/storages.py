"""Every file storage of the settings in a test's own temporary directory, as in the filesystem default."""

from __future__ import annotations

from pathlib import Path


def temporary_storages(settings, tmp_path: Path) -> Path:
    """Point the public, private and documents storages (and MEDIA_ROOT) below tmp_path; return tmp_path."""
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path / "media")},
        },
        "private": {
            "BACKEND": "wenchuang.storage.PrivateFileSystemStorage",
            "OPTIONS": {"location": str(tmp_path / "private")},
        },
        "documents": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path / "documents"), "base_url": None},
        },
    }
    return tmp_path
