"""Search reads through the read-replica alias; writes (the index) stay on the primary."""

from __future__ import annotations

import pytest
from django.db import connections
from django.test.utils import CaptureQueriesContext

from search.selectors import SearchQuery, search, suggest
from tests.search.helpers import active_unit, names, on_sale

pytestmark = pytest.mark.django_db(transaction=True, databases=["default", "replica"])


def test_search_reads_from_the_replica_alias_and_indexing_writes_to_the_primary(settings):
    settings.SEARCH_READ_DATABASE = "replica"
    unit = active_unit("三峡博物馆")
    with CaptureQueriesContext(connections["default"]) as primary:
        on_sale(unit, name_zh="铜镜纹杯垫", attributes={"wenchuang-material": "wood"})
    assert any("INSERT INTO search_searchdocument" in q["sql"] for q in primary.captured_queries)

    with (
        CaptureQueriesContext(connections["replica"]) as replica,
        CaptureQueriesContext(connections["default"]) as primary,
    ):
        result = search(SearchQuery(text="杯垫"))
        suggest("tongj")

    assert names(result) == ["铜镜纹杯垫"]
    assert any("search_searchdocument" in q["sql"] for q in replica.captured_queries)
    assert not any("search_" in q["sql"] for q in primary.captured_queries)
