"""Ledger party keys are made and read by one type: what it makes, it reads back."""

from __future__ import annotations

import uuid

import pytest

from core.party import DESIGNER, Party


@pytest.mark.parametrize(
    "party",
    [Party.unit(uuid.UUID(int=7)), Party.staff_pool("u1"), Party.entity(42), Party.designer("wang-fang")],
)
def test_a_party_reads_back_what_it_wrote(party):
    assert Party.parse(party.key) == party
    assert str(party) == party.key


def test_keys_and_their_parts():
    assert Party.unit("abc").key == "unit:abc"
    assert Party.staff_pool("abc").of_unit and Party.unit("abc").of_unit
    assert Party.entity(42).entity_pk == 42
    assert Party.parse("entity:x").entity_pk is None
    assert Party.parse("designer:a:b") == Party(DESIGNER, "a:b")
    assert Party.parse("platform") == Party("platform", "")
