"""Named GraphQL operations, one per .graphql file, loaded once."""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

from graphql import OperationType, parse
from graphql.language import OperationDefinitionNode

GRAPHQL_DIR = Path(__file__).with_name("graphql")
SUBSCRIPTIONS_DIR = GRAPHQL_DIR / "subscriptions"
FRAGMENTS_DIR = GRAPHQL_DIR / "fragments"  # shared fragments, one per file named after the fragment
_SPREAD = re.compile(r"\.\.\.\s*(?!on\b)([A-Za-z_]\w*)")
_DEFINED = re.compile(r"\bfragment\s+([A-Za-z_]\w*)")


def with_shared_fragments(text: str) -> str:
    """The document plus every shared fragment it spreads (transitively) but does not define itself."""
    while missing := set(_SPREAD.findall(text)) - set(_DEFINED.findall(text)):
        for fragment in sorted(missing):
            path = FRAGMENTS_DIR / f"{fragment}.graphql"
            if not path.is_file():
                raise KeyError(f"fragment {fragment!r} is neither defined nor in {FRAGMENTS_DIR}")
            text += "\n" + path.read_text()
    return text


@cache
def operation(name: str) -> str:
    """Text of the operation in graphql/<name>.graphql (named <name>), with the shared fragments it uses."""
    path = GRAPHQL_DIR / f"{name}.graphql"
    if not path.is_file():
        raise KeyError(f"no GraphQL operation named {name!r} in {GRAPHQL_DIR}")
    return with_shared_fragments(path.read_text())


@cache
def is_mutation(name: str) -> bool:
    """Whether the named operation is a mutation (never retried once it may have reached Saleor)."""
    document = parse(operation(name))
    return any(
        isinstance(d, OperationDefinitionNode) and d.operation == OperationType.MUTATION
        for d in document.definitions
    )


@cache
def subscription(name: str) -> str:
    """The webhook subscription in graphql/subscriptions/<name>.graphql, with the shared fragments it uses."""
    return with_shared_fragments((SUBSCRIPTIONS_DIR / f"{name}.graphql").read_text())


def all_operation_files() -> list[Path]:
    return sorted(GRAPHQL_DIR.glob("*.graphql"))


def all_subscription_files() -> list[Path]:
    return sorted(SUBSCRIPTIONS_DIR.glob("*.graphql"))
