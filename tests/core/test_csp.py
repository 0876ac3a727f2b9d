"""The Content-Security-Policy header: built from SECURE_CSP, widened per view, never inline by default."""

from __future__ import annotations

import base64
import hashlib

from django.http import HttpResponse

from core import csp

POLICY = {"default-src": ["'self'"], "script-src": ["'self'"], "frame-src": ["'none'"]}


def test_the_header_lists_each_directive_with_its_sources_once():
    value = csp.header_value({"default-src": ["'self'"], "img-src": ["'self'", "data:", "'self'"]})

    assert value == "default-src 'self'; img-src 'self' data:"


def test_widening_adds_sources_drops_none_and_starts_missing_fetch_directives_from_default_src():
    wide = csp.widened(POLICY, {"script-src": ["https://js.example"], "frame-src": ["https://f.example"]})
    wider = csp.widened(
        POLICY, {"connect-src": ["https://api.example"], "form-action": ["https://x.example"]}
    )

    assert wide["script-src"] == ["'self'", "https://js.example"]
    assert wide["frame-src"] == ["https://f.example"]
    assert wider["connect-src"] == ["'self'", "https://api.example"]
    assert wider["form-action"] == ["https://x.example"]  # not a fetch directive: no default-src fallback
    assert POLICY["script-src"] == ["'self'"]  # the site's policy itself is untouched


def test_inline_script_hashes_are_the_sha256_of_each_inline_body():
    html = b'<script src="/x.js"></script><script type="application/javascript">\n  go();\n</script>'

    expected = "'sha256-" + base64.b64encode(hashlib.sha256(b"\n  go();\n").digest()).decode() + "'"
    assert csp.inline_script_hashes(html) == [expected]


def test_every_response_carries_the_sites_policy(client, settings):
    settings.SECURE_CSP = POLICY

    response = client.get("/healthz")

    assert response["Content-Security-Policy"] == "default-src 'self'; script-src 'self'; frame-src 'none'"


def test_a_view_widens_the_policy_and_one_that_sets_its_own_keeps_it(rf, settings):
    settings.SECURE_CSP = POLICY
    middleware = csp.ContentSecurityPolicyMiddleware(
        csp.csp_allow({"script-src": ["https://js.example"]})(lambda request: HttpResponse())
    )
    own = HttpResponse()
    own["Content-Security-Policy"] = "default-src 'none'"

    widened = middleware(rf.get("/"))
    kept = csp.ContentSecurityPolicyMiddleware(lambda request: own)(rf.get("/"))

    assert "script-src 'self' https://js.example;" in widened["Content-Security-Policy"]
    assert kept["Content-Security-Policy"] == "default-src 'none'"
