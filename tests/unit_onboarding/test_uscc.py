"""Unified Social Credit Code: structure and GB 32100-2015 check character."""

from __future__ import annotations

import pytest

from unit_onboarding import uscc

# Real-format codes whose check characters are right (published business registration examples).
VALID = ["91350100M000100Y43", "91110000802100433B", "91440300708461136T", "125000004504007973"]


@pytest.mark.parametrize("code", VALID)
def test_valid_codes_pass(code):
    assert uscc.problem(code) is None
    assert uscc.is_valid(code)


def test_input_is_normalised_before_checking():
    assert uscc.is_valid(" 91350100m000100y43 ")


@pytest.mark.parametrize("code", VALID)
def test_any_changed_check_character_is_caught(code):
    wrong = [c for c in uscc.ALPHABET if c != code[-1]]

    assert all(uscc.problem(code[:17] + c) == "check" for c in wrong)


def test_a_single_mistyped_character_is_caught():
    code = "91350100M000100Y43"

    assert uscc.problem("91350100M000101Y43") == "check"
    assert uscc.problem(code[:12] + code[13] + code[12] + code[14:]) == "check"  # transposition


@pytest.mark.parametrize(
    ("code", "why"),
    [
        ("91350100M000100Y4", "length"),
        ("91350100M000100Y433", "length"),
        ("91350100O000100Y43", "alphabet"),  # O is not in the code's alphabet
        ("913501I0M000100Y43", "alphabet"),
        ("9135A100M000100Y43", "division"),
    ],
)
def test_malformed_codes_say_why(code, why):
    assert uscc.problem(code) == why
