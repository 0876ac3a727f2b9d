"""Where files go by default: public and private roots apart, shared by web and worker in compose."""

from __future__ import annotations

from pathlib import Path

import yaml

from tests.catalog.conftest import settings_in_fresh_process

REPO = Path(__file__).resolve().parents[2]


def test_without_a_bucket_originals_live_on_disk_outside_the_public_media_root(tmp_path):
    computed = settings_in_fresh_process({"DATA_DIR": str(tmp_path)})

    assert computed["media"] == str(tmp_path / "media")
    assert computed["private"] == str(tmp_path / "private")
    assert not computed["private"].startswith(computed["media"])
    assert computed["storages"]["private"] == {
        "BACKEND": "wenchuang.storage.PrivateFileSystemStorage",
        "OPTIONS": {"location": str(tmp_path / "private")},
    }
    assert computed["storages"]["default"]["BACKEND"] == "django.core.files.storage.FileSystemStorage"


def test_compose_web_and_worker_share_the_files_volume():
    services = yaml.safe_load((REPO / "docker-compose.yml").read_text())["services"]

    assert "app-files:/data" in services["web"]["volumes"]
    assert "app-files:/data" in services["worker"]["volumes"]
