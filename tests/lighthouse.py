"""Lighthouse from npm (LIGHTHOUSE_BIN names its command) on pages a live_server serves: its JSON report and
the audits that did not pass. Tests that use it are skipped without LIGHTHOUSE_BIN."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest

from tests.conftest import chromium_path

LIGHTHOUSE = os.environ.get("LIGHTHOUSE_BIN", "")
needed = pytest.mark.skipif(not LIGHTHOUSE, reason="LIGHTHOUSE_BIN is not set (Lighthouse from npm)")


def lighthouse(
    url: str, *, categories: tuple[str, ...], out: Path, cookie: str = "", extra: tuple[str, ...] = ()
) -> dict:
    """Lighthouse (mobile preset) on `url`, signed in by `cookie` if given: its JSON report, kept at `out`."""
    out.parent.mkdir(parents=True, exist_ok=True)
    headers = {"Accept-Language": "zh-CN", **({"Cookie": cookie} if cookie else {})}
    subprocess.run(  # noqa: S603 (the command is the tester's own LIGHTHOUSE_BIN)
        [
            LIGHTHOUSE,
            url,
            "--quiet",
            "--only-categories=" + ",".join(categories),
            "--output=json",
            f"--output-path={out}",
            f"--chrome-path={chromium_path()}",
            "--chrome-flags=--headless=new --no-sandbox",
            "--extra-headers=" + json.dumps(headers),
            *extra,
        ],
        check=True,
        timeout=180,
        env={**os.environ, "CHROME_PATH": chromium_path()},
    )
    return json.loads(out.read_text())


def failing(report: dict, category: str) -> list[str]:
    """The audits of a category that did not pass, with what Lighthouse says of them."""
    refs = report["categories"][category]["auditRefs"]
    audits = (report["audits"][ref["id"]] for ref in refs if ref["weight"])
    return [f"{a['id']}: {a['title']}" for a in audits if a["score"] is not None and a["score"] < 1]


def scores(report: dict, categories: tuple[str, ...]) -> dict[str, tuple[float, list[str]]]:
    """Each category's score with the audits that cost it points."""
    return {c: (report["categories"][c]["score"], failing(report, c)) for c in categories}


def below(
    base: str,
    path: str,
    *,
    name: str,
    categories: tuple[str, ...],
    shots: Path,
    cookie: str = "",
    extra: tuple[str, ...] = (),
    floor: float = 0.95,
) -> dict[tuple[str, str], tuple[float, list[str]]]:
    """Lighthouse on `base + path` (report kept as shots/lighthouse-<name>.json): the categories scoring under
    `floor`, keyed (name, category), with the audits that cost them points; the page must not redirect."""
    out = shots / f"lighthouse-{name}.json"
    report = lighthouse(base + path, categories=categories, out=out, cookie=cookie, extra=extra)
    assert report["finalDisplayedUrl"].endswith(path), report["finalDisplayedUrl"]  # e.g. not sent to sign in
    return {(name, c): s for c, s in scores(report, categories).items() if s[0] < floor}
