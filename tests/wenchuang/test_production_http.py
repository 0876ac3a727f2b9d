"""Production over HTTPS: `check --deploy` is clean, plain HTTP is redirected behind the proxy's header,
cookies are Secure, HSTS and the CSP are sent, and /readyz tells nobody why it is not ready."""

from __future__ import annotations

import json
import re
import socket
import subprocess
from pathlib import Path

import yaml

from tests.django_process import setup_django

ROOT = Path(__file__).resolve().parents[2]
PRODUCTION = {
    "APP_ENV": "production",
    "SECRET_KEY": "k3Vq9-production-like-secret-with-more-than-fifty-characters-xZ81",
    "ALLOWED_HOSTS": "shop.example.cn",
    "APP_PUBLIC_URL": "https://shop.example.cn",
    "DATABASE_URL": "postgres://wenchuang:s3cret-db-pass@127.0.0.1:1/wenchuang",
    "REDIS_URL": "redis://127.0.0.1:6379/15",
    "FIELD_ENCRYPTION_KEYS": "Tx3Qn0xm8f3wz1p0tWQm2B9Xn3mXbJk0JxQm8pZpQ1E=",
    "SALEOR_ALLOWED_API_URLS": "https://saleor.example.cn/graphql/",
    "STRIPE_SECRET_KEY": "sk_live_x",
    "STRIPE_PUBLISHABLE_KEY": "pk_live_x",
    "STRIPE_WEBHOOK_SECRET": "whsec_x",
    # Fingerprinted static names need `collectstatic` (the Docker image runs it); pages here use plain ones.
    "STATIC_FINGERPRINTS": "false",
}


def check_deploy(**overrides: str) -> subprocess.CompletedProcess:
    code = (
        "from django.core import management as m; m.call_command('check', deploy=True, fail_level='WARNING')"
    )
    return setup_django(PRODUCTION | overrides, code)


def get(path: str, headers: dict[str, str] | None = None, host: str = "shop.example.cn", **env: str) -> dict:
    """One request through the whole middleware stack of a production process (Django's test client)."""
    code = (
        "import json, sys; from django.test import Client; "
        "r = Client(raise_request_exception=False).get(sys.argv[1], headers=json.loads(sys.argv[2])); "
        "print(json.dumps({'status': r.status_code, 'headers': dict(r.headers), 'body': r.content.decode(), "
        "'cookies': {k: dict(m) for k, m in r.cookies.items()}}))"
    )
    headers = {"host": host} | (headers or {})
    result = setup_django(PRODUCTION | env, code, args=(path, json.dumps(headers)))
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.splitlines()[-1]) | {"log": result.stderr}


def test_production_settings_pass_check_deploy_without_a_warning():
    result = check_deploy()

    assert result.returncode == 0, result.stderr
    assert "System check identified no issues" in result.stdout + result.stderr


def test_check_deploy_would_say_so_without_hsts_or_the_redirect():
    result = check_deploy(SECURE_HSTS_SECONDS="0", SECURE_SSL_REDIRECT="false")

    assert result.returncode != 0
    assert "security.W004" in result.stderr and "security.W008" in result.stderr


def test_plain_http_is_redirected_to_https_but_probes_are_answered():
    plain = get("/onboarding/login/")
    probe = get("/healthz")

    assert (
        plain["status"] == 301 and plain["headers"]["Location"] == "https://shop.example.cn/onboarding/login/"
    )
    assert probe["status"] == 200


def test_machine_endpoints_sit_behind_the_same_redirect_and_hsts():
    # They skip the browser's middleware (core/machine_endpoints.py), never SecurityMiddleware before it.
    plain = get("/saleor/manifest")
    proxied = get("/saleor/manifest", {"X-Forwarded-Proto": "https"})

    assert (
        plain["status"] == 301 and plain["headers"]["Location"] == "https://shop.example.cn/saleor/manifest"
    )
    assert proxied["status"] == 200 and json.loads(proxied["body"])["id"]
    assert proxied["headers"]["Strict-Transport-Security"].startswith("max-age=31536000")
    assert "Content-Security-Policy" not in proxied["headers"]


def test_behind_the_proxy_a_page_carries_hsts_the_csp_and_secure_cookies():
    page = get("/onboarding/login/", {"X-Forwarded-Proto": "https"})

    assert page["status"] == 200
    assert page["headers"]["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains; preload"
    assert "script-src 'self';" in page["headers"]["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in page["headers"]["Content-Security-Policy"]
    assert page["cookies"]["csrftoken"]["secure"] is True


def test_the_proxy_header_is_a_setting():
    # A proxy that names the scheme in another header: X-Forwarded-Proto from a client counts for nothing.
    spoofed = get("/onboarding/login/", {"X-Forwarded-Proto": "https"}, SECURE_PROXY_SSL_HEADER="X-Scheme")
    proxied = get("/onboarding/login/", {"X-Scheme": "https"}, SECURE_PROXY_SSL_HEADER="X-Scheme")

    assert spoofed["status"] == 301
    assert proxied["status"] == 200


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_readyz_says_unavailable_and_nothing_more_while_the_log_says_why():
    database = f"postgres://wenchuang:s3cret-db-pass@127.0.0.1:{_closed_port()}/wenchuang"

    ready = get("/readyz", DATABASE_URL=database)

    assert ready["status"] == 503
    assert json.loads(ready["body"]) == {"status": "unavailable"}
    assert "readiness: the database is unreachable" in ready["log"]
    assert "Connection refused" in ready["log"] or "connection" in ready["log"].lower()


def test_the_compose_stack_serves_plain_http_on_localhost(tmp_path):
    # No TLS proxy there: production's redirect would send Saleor's webhooks and the browser away.
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())["services"]["web"]["environment"]
    # Its image collects the fingerprinted static files at build time (Dockerfile): so do we, here.
    compose |= {"STATIC_ROOT": str(tmp_path / "static")}
    collect = "from django.core import management as m; m.call_command('collectstatic', interactive=False)"
    collected = setup_django(PRODUCTION | compose, collect)
    assert collected.returncode == 0, collected.stderr

    page = get("/onboarding/login/", {"X-Forwarded-Proto": "https"}, host="localhost", **compose)
    plain = get("/onboarding/login/", host="localhost", **compose)

    assert page["status"] == 200
    assert plain["status"] == 200 and plain["cookies"]["csrftoken"]["secure"] == ""  # sent over http
    assert "Strict-Transport-Security" not in page["headers"]
    assert re.search(r'href="/static/unit_onboarding/portal\.[0-9a-f]{12}\.css"', page["body"])
