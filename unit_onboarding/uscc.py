"""Unified Social Credit Code (统一社会信用代码, GB 32100-2015): 18 characters with a check character."""

from __future__ import annotations

# The code's alphabet: digits and upper-case letters without I, O, Z, S, V (values 0..30).
ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_VALUE = {char: value for value, char in enumerate(ALPHABET)}
WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
LENGTH = 18


def normalise(raw: str) -> str:
    """Codes are printed in upper case and often pasted with spaces; compare them settled."""
    return "".join(raw.split()).upper()


def check_character(first17: str) -> str:
    """The 18th character for the first 17 (mod-31 weighted sum, GB 32100-2015 §4.3)."""
    total = sum(_VALUE[char] * weight for char, weight in zip(first17, WEIGHTS, strict=True))
    return ALPHABET[(31 - total % 31) % 31]


def problem(code: str) -> str | None:
    """Why `code` (already normalised) is not a valid USCC, as a machine code; None when valid."""
    if len(code) != LENGTH:
        return "length"
    if any(char not in _VALUE for char in code):
        return "alphabet"
    if not code[2:8].isdigit():  # the administrative division code is six digits
        return "division"
    if check_character(code[:17]) != code[17]:
        return "check"
    return None


def is_valid(code: str) -> bool:
    return problem(normalise(code)) is None
