"""docker-compose.yml runs the whole stack; every long-running service has a health check."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import yaml

from tests.django_process import setup_django

COMPOSE = yaml.safe_load((Path(__file__).resolve().parents[2] / "docker-compose.yml").read_text())
ONE_SHOT = {"saleor-init", "install-app", "seed-demo"}


def test_the_stack_has_every_part():
    assert set(COMPOSE["services"]) >= {
        "postgres",
        "redis",
        "saleor-api",
        "dashboard",
        "web",
        "worker",
        "saleor-init",
        "install-app",
        "seed-demo",
    }


def test_every_long_running_service_has_a_health_check():
    missing = [n for n, s in COMPOSE["services"].items() if n not in ONE_SHOT and "healthcheck" not in s]

    assert missing == []


def test_images_are_pinned():
    images = [s["image"] for s in COMPOSE["services"].values() if "image" in s]

    assert all(":" in image and not image.endswith(":latest") for image in images)


def test_the_install_step_waits_for_saleor_and_this_service():
    depends = COMPOSE["services"]["install-app"]["depends_on"]

    assert depends["saleor-api"]["condition"] == "service_healthy"
    assert depends["web"]["condition"] == "service_healthy"


def test_the_demo_is_seeded_once_the_app_is_installed_into_a_cny_channel():
    seed = COMPOSE["services"]["seed-demo"]

    assert seed["command"] == "python manage.py seed_demo"
    assert seed["depends_on"]["install-app"]["condition"] == "service_completed_successfully"
    assert seed["environment"]["SALEOR_CHANNEL_SLUG"] == "wenchuang-cny"


def test_the_app_runs_in_production_mode_with_its_required_settings():
    env = COMPOSE["services"]["web"]["environment"]

    assert env["APP_ENV"] == "production"
    assert env["SALEOR_API_URL"] in env["SALEOR_ALLOWED_API_URLS"].split(",")


def test_the_compose_environment_is_enough_for_production_settings():
    result = setup_django(COMPOSE["services"]["web"]["environment"])

    assert result.stdout.strip() == "settings ok", result.stderr


def test_images_are_decoded_by_a_worker_of_their_own_one_at_a_time():
    images = COMPOSE["services"]["worker-images"]["command"].split()
    worker = COMPOSE["services"]["worker"]["command"].split()

    assert images[images.index("-Q") + 1] == "images"
    assert images[images.index("-c") + 1] == "1"
    assert "--beat" in worker and "-Q" not in worker  # the default queue only (checked live: `celery`)


def test_saleor_runs_its_worker_with_beat_so_new_products_are_indexed_for_search():
    worker = COMPOSE["services"]["saleor-worker"]
    saleor_env = COMPOSE["services"]["saleor-api"]["environment"]

    assert worker["image"] == COMPOSE["services"]["saleor-api"]["image"]
    assert "-B" in worker["command"].split() and "saleor.celeryconf:app" in worker["command"]
    assert saleor_env["CELERY_BROKER_URL"].startswith("redis://redis:6379/")


def test_the_image_holds_every_package_of_the_project():
    root = Path(__file__).resolve().parents[2]
    setuptools = tomllib.loads((root / "pyproject.toml").read_text())["tool"]["setuptools"]
    packages = {p.rstrip("*") for p in setuptools["packages"]["find"]["include"]}
    copied = set(re.findall(r"^COPY (\w+) \./\1$", (root / "Dockerfile").read_text(), re.M))

    assert packages - copied == set()  # core/ was missing: the image could not import the business clock
