"""Static files are served under content-hashed names once collected (production setting)."""

from __future__ import annotations

import re

from django.core.management import call_command
from django.template import Context, Template


def test_collected_static_files_get_fingerprinted_names(settings, tmp_path):
    settings.STATIC_ROOT = tmp_path
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
    }
    settings.INSTALLED_APPS = [a for a in settings.INSTALLED_APPS if a != "django.contrib.admin"]

    call_command("collectstatic", interactive=False, verbosity=0)
    url = Template("{% load static %}{% static 'storefront/site.css' %}").render(Context())

    assert re.fullmatch(r"/static/storefront/site\.[0-9a-f]{12}\.css", url)
    assert (tmp_path / url.removeprefix("/static/")).is_file()
