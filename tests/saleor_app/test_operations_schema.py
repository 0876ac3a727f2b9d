"""Every named operation and webhook subscription is valid against the Saleor schema we target."""

from __future__ import annotations

import os
from functools import cache
from pathlib import Path

import pytest
from graphql import GraphQLSchema, build_client_schema, build_schema, parse, validate
from graphql.language import OperationDefinitionNode

from saleor_app.operations import all_operation_files, all_subscription_files, with_shared_fragments
from tests.conftest import shared_saleor_file

OPERATIONS = all_operation_files()
SUBSCRIPTIONS = all_subscription_files()


@cache
def shared_schema() -> GraphQLSchema:
    return build_schema(Path(shared_saleor_file("schema.graphql")).read_text())


def problems(schema: GraphQLSchema, path: Path) -> list[str]:
    document = with_shared_fragments(path.read_text())
    return [error.message for error in validate(schema, parse(document))]


def test_there_are_operations_and_subscriptions_to_check():
    assert len(OPERATIONS) >= 5
    assert len(SUBSCRIPTIONS) >= 1


@pytest.mark.parametrize("path", OPERATIONS, ids=lambda p: p.stem)
def test_each_operation_file_holds_one_operation_named_after_the_file(path):
    document = parse(with_shared_fragments(path.read_text()))
    operations = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]

    assert len(operations) == 1
    assert operations[0].name is not None and operations[0].name.value == path.stem


@pytest.mark.parametrize("path", OPERATIONS + SUBSCRIPTIONS, ids=lambda p: p.name)
@pytest.mark.saleor_schema
def test_operation_is_valid_against_the_shared_saleor_schema(path):
    assert problems(shared_schema(), path) == []


@pytest.mark.parametrize("path", SUBSCRIPTIONS, ids=lambda p: p.stem)
def test_every_subscription_selects_issued_at_so_bodies_never_collide(path):
    text = path.read_text()

    assert "subscription" in text and "issuedAt" in text


@pytest.mark.saleor_schema
def test_an_invalid_operation_is_reported(tmp_path):
    broken = tmp_path / "Broken.graphql"
    broken.write_text("query Broken { shop { noSuchField } }")

    assert problems(shared_schema(), broken) == ["Cannot query field 'noSuchField' on type 'Shop'."]


@pytest.mark.saleor_live
@pytest.mark.parametrize("path", OPERATIONS + SUBSCRIPTIONS, ids=lambda p: p.name)
def test_operation_is_valid_against_the_live_saleor_schema(path, live_schema):
    assert problems(live_schema, path) == []


@pytest.fixture(scope="module")
def live_schema() -> GraphQLSchema:
    import httpx
    from graphql import get_introspection_query

    response = httpx.post(os.environ["SALEOR_API_URL"], json={"query": get_introspection_query()}, timeout=30)
    return build_client_schema(response.json()["data"])


def test_a_shared_fragment_is_added_once_even_when_spread_twice(tmp_path):
    text = (
        "query Q { a: products(first: 1) { edges { node { ...StorefrontCard } } } "
        "b: products(first: 2) { edges { node { ...StorefrontCard } } } }"
    )

    document = with_shared_fragments(text)

    assert document.count("fragment StorefrontCard on Product") == 1


def test_an_unknown_fragment_is_reported():
    with pytest.raises(KeyError, match="NoSuchFragment"):
        with_shared_fragments("query Q { shop { ...NoSuchFragment } }")
