"""`.env` is read by one reader, for manage.py and for make alike; the environment wins over the file."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from wenchuang.envfile import env_file_values

ROOT = Path(__file__).resolve().parents[2]


def test_values_with_spaces_quotes_and_comments_are_read_as_written(tmp_path):
    env_file = tmp_path / ".env"
    env_file.write_text(
        "# a comment\n"
        "DEFAULT_FROM_EMAIL=Wenchuang Marketplace <noreply@wenchuang.example>\n"
        "export QUOTED='a b # not a comment'\n"
        "EMPTY=\n"
    )

    assert env_file_values(env_file, {}) == {
        "DEFAULT_FROM_EMAIL": "Wenchuang Marketplace <noreply@wenchuang.example>",
        "QUOTED": "a b # not a comment",
        "EMPTY": "",
    }


def test_the_environment_wins_over_the_file(tmp_path):
    env_file = tmp_path / ".env"
    env_file.write_text("SALEOR_API_URL=\nDATABASE_URL=postgres://127.0.0.1/from-file\n")

    values = env_file_values(env_file, {"SALEOR_API_URL": "http://127.0.0.1:8000/graphql/"})

    assert values == {"DATABASE_URL": "postgres://127.0.0.1/from-file"}


def test_no_file_adds_nothing(tmp_path):
    assert env_file_values(tmp_path / ".env", {}) == {}


def _clean_env() -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "DJANGO_SETTINGS_MODULE"}}


def test_manage_py_and_make_see_the_same_settings_from_env(tmp_path):
    """A copy of manage.py and the package beside a .env: both entry points read its DATABASE_URL."""
    (tmp_path / ".env").write_text("DATABASE_URL=postgres://someone@127.0.0.1:5432/named_in_dotenv\n")
    (tmp_path / "manage.py").write_text((ROOT / "manage.py").read_text())
    (tmp_path / "wenchuang").symlink_to(ROOT / "wenchuang")
    for name in (
        "core",
        "accounts",
        "saleor_app",
        "unit_onboarding",
        "catalog",
        "orders",
        "payments",
        "resources",
        "office",
        "campaigns",
        "shipping",
        "storefront",
    ):
        (tmp_path / name).symlink_to(ROOT / name)
    show = "from django.conf import settings; print(settings.DATABASES['default']['NAME'])"
    env = _clean_env() | {"PYTHONPATH": str(tmp_path), "DATA_DIR": str(tmp_path / "data")}

    manage = subprocess.run(  # noqa: S603 - our interpreter
        [sys.executable, "manage.py", "shell", "-v", "0", "-c", show],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
    )
    exported = subprocess.run(  # what the Makefile evaluates
        [sys.executable, "-m", "wenchuang.envfile"], cwd=tmp_path, env=env, capture_output=True, text=True
    )

    assert manage.stdout.strip() == "named_in_dotenv", manage.stderr
    assert "export DATABASE_URL=postgres://someone@127.0.0.1:5432/named_in_dotenv" in exported.stdout
