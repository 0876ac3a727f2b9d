"""One typed reader for settings taken from the environment."""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from typing import TypeVar

from django.core.exceptions import ImproperlyConfigured

T = TypeVar("T")
_UNSET = object()
_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


class Env:
    """Reads typed values; collects missing required ones so start-up fails once, listing them all."""

    def __init__(self, environ: Mapping[str, str] | None = None, *, production: bool = False) -> None:
        self._environ = os.environ if environ is None else environ
        self.production = production
        self.missing: list[str] = []

    def _read(self, name: str, cast: Callable[[str], T], default: object, dev_default: object, empty: T) -> T:
        raw = self._environ.get(name)
        if raw is not None and raw != "":
            try:
                return cast(raw)
            except ValueError as exc:
                raise ImproperlyConfigured(f"Environment variable {name}={raw!r} is invalid: {exc}") from exc
        if default is not _UNSET:
            return default  # type: ignore[return-value]
        if not self.production and dev_default is not _UNSET:
            return dev_default  # type: ignore[return-value]
        self.missing.append(name)
        return empty  # settings still load far enough for check() to report every missing name

    def str(self, name: str, default: object = _UNSET, *, dev_default: object = _UNSET) -> str:
        return self._read(name, str, default, dev_default, "")

    def int(self, name: str, default: object = _UNSET, *, dev_default: object = _UNSET) -> int:
        return self._read(name, int, default, dev_default, 0)

    def float(self, name: str, default: object = _UNSET, *, dev_default: object = _UNSET) -> float:
        return self._read(name, float, default, dev_default, 0.0)

    def bool(self, name: str, default: object = _UNSET, *, dev_default: object = _UNSET) -> bool:
        return self._read(name, _to_bool, default, dev_default, False)

    def list(self, name: str, default: object = _UNSET, *, dev_default: object = _UNSET) -> list[str]:
        return self._read(name, _to_list, default, dev_default, [])

    def check(self) -> None:
        """Fail with one clear message naming every required variable that is missing."""
        if self.missing:
            names = ", ".join(sorted(set(self.missing)))
            raise ImproperlyConfigured(
                f"Missing required environment variables for production: {names}. "
                "See .env.example for what each one means."
            )


def _to_bool(raw: str) -> bool:
    value = raw.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ValueError("expected one of true/false/1/0/yes/no/on/off")


def _to_list(raw: str) -> list[str]:
    return [item.strip() for item in raw.split(",") if item.strip()]
