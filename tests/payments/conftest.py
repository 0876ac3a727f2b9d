"""Hypothesis profiles: `default` keeps the suite fast; HYPOTHESIS_PROFILE=thorough runs 10x the examples."""

from __future__ import annotations

import os

from hypothesis import settings

settings.register_profile("default", max_examples=200)
settings.register_profile("thorough", max_examples=2_000)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "default"))
