"""Shared fixtures: real PostgreSQL through pytest-django, HTTP doubles only at the edge."""

from __future__ import annotations

import os

import pytest
from hypothesis import settings

from tests.saleor_signing import SaleorSigner

# Hypothesis profiles: `default` keeps the suite fast; HYPOTHESIS_PROFILE=thorough runs 10x the examples.
settings.register_profile("default", max_examples=200)
settings.register_profile("thorough", max_examples=2_000)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "default"))

# Saleor's schema and response schemas (data only): beside the repository, or SALEOR_SHARED_DIR.
SHARED_SALEOR = os.environ.get("SALEOR_SHARED_DIR") or os.path.join(
    os.path.dirname(__file__), "..", "..", "shared", "saleor"
)
CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")


@pytest.fixture(autouse=True)
def _site_language():
    """Each test starts in the site's language: a request made in English leaves English active after it."""
    from django.conf import settings as django_settings
    from django.utils import translation

    with translation.override(django_settings.LANGUAGE_CODE):
        yield


def shared_saleor_file(name: str) -> str:
    """Path of a file of Saleor's data (tests that read it carry the `saleor_schema` marker)."""
    return os.path.join(SHARED_SALEOR, name)


def chromium_path() -> str:
    """Debian's chromium (tests that drive it carry the `browser` marker)."""
    return CHROMIUM


def chromium_env() -> dict[str, str]:
    """The environment chromium starts in: never under faketime (scripts/test-at-dates.sh), where it hangs.

    The browser keeps the real time; the service under test keeps the moved one."""
    return {k: v for k, v in os.environ.items() if k != "LD_PRELOAD" and not k.startswith("FAKETIME")}


@pytest.fixture
def connections_closed(monkeypatch):
    """For tests whose pages a live_server serves to another program: its request threads close their
    connections, and so does the test at its end, or the test database cannot be dropped."""
    from django.db import connections

    monkeypatch.setitem(connections.settings["default"], "CONN_MAX_AGE", 0)
    yield
    connections.close_all()  # ORM calls made while Playwright's loop ran used their own connection


@pytest.fixture
def browser(monkeypatch, connections_closed):
    """Debian's chromium driven by Playwright's sync API, for the pages a live_server serves (the shop's
    tests have their own, headless, in tests/storefront/conftest.py)."""
    import playwright.sync_api as playwright_api

    # Playwright's sync API keeps an event loop on this thread; the ORM calls here are still synchronous.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with playwright_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=chromium_path(), env=chromium_env(), args=["--no-sandbox"]
        )
        yield browser
        browser.close()


RECORDED_API_URL = "http://127.0.0.1:8000/graphql/"


def pytest_addoption(parser):
    parser.addoption(
        "--record-saleor",
        action="store_true",
        help="live tests write what the live Saleor sent to tests/recordings/saleor/ (needs SALEOR_API_URL)",
    )


@pytest.fixture
def record_saleor(request) -> bool:
    return bool(request.config.getoption("--record-saleor"))


# What a marked test waits for: whether it is there, and the reason a skip gives (naming what to set).
WAITS_FOR = {
    "saleor_live": (
        lambda: bool(os.environ.get("SALEOR_API_URL")),
        "needs a live Saleor: set SALEOR_API_URL (see README, 'Live Saleor tests')",
    ),
    "browser": (
        lambda: os.path.exists(CHROMIUM),
        f"needs Debian's chromium at {CHROMIUM}: set CHROMIUM_PATH (make test installs it)",
    ),
    "saleor_schema": (
        lambda: os.path.isfile(os.path.join(SHARED_SALEOR, "schema.graphql")),
        f"needs Saleor's schema data in {SHARED_SALEOR}: set SALEOR_SHARED_DIR",
    ),
}


def pytest_collection_modifyitems(config, items):
    """A marked test is skipped, with its reason, only when what it waits for is absent."""
    for marker, (present, reason) in WAITS_FOR.items():
        skip = pytest.mark.skipif(not present(), reason=reason)
        for item in items:
            if marker in item.keywords:
                item.add_marker(skip)


@pytest.fixture
def saleor_api_url() -> str:
    """The live Saleor when recording or running live; otherwise the URL the recordings were made at."""
    return os.environ.get("SALEOR_API_URL") or RECORDED_API_URL


@pytest.fixture
def signer() -> SaleorSigner:
    """Signs bodies as a Saleor instance does (own RSA key); serve its JWKS with respx."""
    return SaleorSigner.generate()


@pytest.fixture(autouse=True)
def _celery_join_flag_reset():
    """Eager Celery (test settings) marks "inside a task" in one process-wide flag, not per thread: tasks
    run eagerly by concurrent threads (order events processed in parallel, each mailing on commit) can leave
    it set, and a later test's `.apply().get()` then refuses. Each test starts outside any task."""
    from celery.result import _set_task_join_will_block

    _set_task_join_will_block(False)
    yield
    _set_task_join_will_block(False)


@pytest.fixture(autouse=True)
def _fresh_process_caches():
    from saleor_app.selectors import forget_cached_installations
    from saleor_app.signatures import forget_cached_keys

    forget_cached_keys()
    forget_cached_installations()
    yield
    forget_cached_keys()
    forget_cached_installations()


@pytest.fixture
def staff_token(saleor_api_url) -> str:
    """A Saleor staff token (SALEOR_STAFF_EMAIL / SALEOR_STAFF_PASSWORD; default admin@example.com)."""
    from tests.live_saleor import StaffSession

    return StaffSession(saleor_api_url).token


@pytest.fixture
def own_channel(saleor_api_url, settings):
    """A CNY channel of the test's own (with its China zone), the one this service sells in
    (SALEOR_CHANNEL_SLUG) for the test: its slug."""
    from tests.live_saleor import StaffSession
    from tests.live_shop import own_shop

    with own_shop(StaffSession(saleor_api_url), warehouses=0) as shop:
        settings.SALEOR_CHANNEL_SLUG = shop.channel_slug
        yield shop.channel_slug
