"""Ledger party keys (`unit:<uid>`, `entity:<pk>`, `designer:<slug>`...): made and read here only."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

UNIT = "unit"
STAFF_POOL = "staff_pool"
ENTITY = "entity"
DESIGNER = "designer"
CAMPAIGN = "campaign"  # a crowdfunding campaign's held (unearned) income, never paid out


@dataclass(frozen=True)
class Party:
    kind: str
    id: str

    @classmethod
    def parse(cls, key: str) -> Party:
        """Any key: `kind:id`, or a bare kind (a platform account) with an empty id."""
        kind, _sep, ident = key.partition(":")
        return cls(kind, ident)

    @classmethod
    def unit(cls, uid) -> Party:
        return cls(UNIT, str(uid))

    @classmethod
    def staff_pool(cls, uid) -> Party:
        return cls(STAFF_POOL, str(uid))

    @classmethod
    def entity(cls, pk: int) -> Party:
        return cls(ENTITY, str(pk))

    @classmethod
    def designer(cls, slug: str) -> Party:
        return cls(DESIGNER, slug)

    @classmethod
    def campaign(cls, uid) -> Party:
        return cls(CAMPAIGN, str(uid))

    @property
    def key(self) -> str:
        return f"{self.kind}:{self.id}"

    def __str__(self) -> str:
        return self.key

    @property
    def of_unit(self) -> bool:
        """A unit's own party or its staff pool: both name the unit by its uid."""
        return self.kind in (UNIT, STAFF_POOL)

    @property
    def is_campaign(self) -> bool:
        return self.kind == CAMPAIGN

    @property
    def entity_pk(self) -> int | None:
        return int(self.id) if self.kind == ENTITY and self.id.isdigit() else None


def is_unit_uid(text: str) -> bool:
    """Whether the id of a unit's party (`unit:<uid>`, `staff_pool:<uid>`) is a well-formed uid: a key
    written by hand, or a line of no known unit, may carry anything there."""
    try:
        uuid.UUID(text)
    except ValueError:
        return False
    return True
