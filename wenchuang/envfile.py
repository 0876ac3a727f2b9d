"""The one reader of `.env`: manage.py loads it, make exports it (`python -m wenchuang.envfile`).

The environment wins over the file, so `SALEOR_API_URL=… make dev` beats a `SALEOR_API_URL=` line;
the file is parsed by python-dotenv (quotes, `export`, comments, values with spaces), never by a shell.
"""

from __future__ import annotations

import os
import shlex
from collections.abc import Mapping
from pathlib import Path

from dotenv import dotenv_values

ENV_FILE = Path(__file__).parent.parent / ".env"  # beside manage.py (not resolved: a linked copy has its own)


def env_file_values(path: Path = ENV_FILE, environ: Mapping[str, str] | None = None) -> dict[str, str]:
    """The variables `path` sets that the environment does not already set."""
    environ = os.environ if environ is None else environ
    if not path.is_file():
        return {}
    return {k: v for k, v in dotenv_values(path).items() if v is not None and k not in environ}


def load_env_file(path: Path = ENV_FILE) -> None:
    """Put .env's variables into os.environ, under those already set."""
    os.environ.update(env_file_values(path))


def main() -> None:
    """Print .env's variables as shell exports, for `eval` in the Makefile."""
    for name, value in env_file_values().items():
        print(f"export {name}={shlex.quote(value)}")


if __name__ == "__main__":
    main()
