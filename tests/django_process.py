"""Start Django's settings in a fresh interpreter with a chosen environment."""

from __future__ import annotations

import os
import subprocess
import sys

# Variables of the test run that would leak a working configuration into the child.
_RUN_ONLY = ("DATABASE_URL", "SECRET_KEY", "REDIS", "SALEOR_API_URL", "DJANGO_SETTINGS_MODULE")


def setup_django(
    environment: dict[str, str], code: str = "print('settings ok')", args: tuple[str, ...] = ()
) -> subprocess.CompletedProcess:
    """Run django.setup() then `code` under wenchuang.settings with `environment` on top of a cleaned
    os.environ (`args` become sys.argv[1:])."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(_RUN_ONLY)}
    env.update(environment)
    env["DJANGO_SETTINGS_MODULE"] = "wenchuang.settings"
    return subprocess.run(  # noqa: S603 - our own interpreter, code written by the tests
        [sys.executable, "-c", f"import django; django.setup(); {code}", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
