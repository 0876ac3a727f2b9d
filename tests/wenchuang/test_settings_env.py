"""Settings come from the environment via one typed reader; production will not start without them."""

from __future__ import annotations

import pytest
from django.core.exceptions import ImproperlyConfigured

from tests.django_process import setup_django
from wenchuang.env import Env


def test_values_are_typed():
    env = Env({"N": "5", "F": "0.5", "B": "yes", "L": "a, b,,c", "S": "x"})

    assert (env.int("N"), env.float("F"), env.bool("B"), env.list("L"), env.str("S")) == (
        5,
        0.5,
        True,
        ["a", "b", "c"],
        "x",
    )


def test_an_invalid_value_names_the_variable():
    with pytest.raises(ImproperlyConfigured, match="DEBUG='maybe' is invalid"):
        Env({"DEBUG": "maybe"}).bool("DEBUG")


def test_development_defaults_serve_outside_production():
    assert Env({}).str("SECRET_KEY", dev_default="dev") == "dev"


def test_production_lists_every_missing_required_variable_at_once():
    env = Env({}, production=True)
    env.str("SECRET_KEY", dev_default="dev")
    env.str("DATABASE_URL", dev_default="")
    env.str("OPTIONAL", default="fine")

    with pytest.raises(ImproperlyConfigured, match="DATABASE_URL, SECRET_KEY"):
        env.check()


def test_the_service_refuses_to_start_in_production_without_its_secrets():
    result = setup_django({"APP_ENV": "production"})

    assert result.returncode != 0
    assert "Missing required environment variables for production" in result.stderr
    for name in ("ALLOWED_HOSTS", "DATABASE_URL", "FIELD_ENCRYPTION_KEYS", "REDIS_URL", "SECRET_KEY"):
        assert name in result.stderr


def test_env_example_documents_every_variable_the_settings_read():
    import re
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    read = set(re.findall(r'env\.\w+\(\s*"([A-Z0-9_]+)"', (root / "wenchuang" / "settings.py").read_text()))
    read |= {"APP_ENV"}
    documented = set(re.findall(r"^#?\s*([A-Z0-9_]+)=", (root / ".env.example").read_text(), re.M))

    assert read - documented == set()
