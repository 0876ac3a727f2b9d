"""The catalog's GraphQL operations and the product subscription are valid against Saleor's schema."""

from __future__ import annotations

from pathlib import Path

import pytest
from graphql import build_schema, parse, validate

from saleor_app.operations import GRAPHQL_DIR, SUBSCRIPTIONS_DIR

SCHEMA = Path(__file__).resolve().parents[3] / "shared" / "saleor" / "schema.graphql"
FILES = [
    *sorted(GRAPHQL_DIR.glob("Catalog*.graphql")),
    GRAPHQL_DIR / "PrivateMetadataUpdate.graphql",
    SUBSCRIPTIONS_DIR / "product_changes.graphql",
]


@pytest.fixture(scope="module")
def schema():
    if not SCHEMA.is_file():
        pytest.skip("the shared Saleor schema is not beside the repository")
    return build_schema(SCHEMA.read_text())


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.stem)
def test_operation_is_valid_and_named_after_its_file(schema, path):
    document = parse(path.read_text())

    assert validate(schema, document) == []
    if path.parent == GRAPHQL_DIR:
        assert document.definitions[0].name.value == path.stem
