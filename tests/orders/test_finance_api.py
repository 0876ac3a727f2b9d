"""Finance GraphQL API: platform finance sees everything, a unit's finance staff only its unit's parties."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Permission

from tests.auth import login_verified
from tests.unit_onboarding.factories import UserFactory, operator_of

from .payloads import two_unit_order

pytestmark = pytest.mark.django_db
QUERY = """{
  splitLines(orderRef: "order-1") { lineRef party amount currency agreementVersion }
  balances(currency: "CNY") { party accountKind owed }
  ledgerTransactions { kind orderRef entries { party amount } }
}"""


@pytest.fixture
def posted(units, deliver):
    order = two_unit_order(units).paid()
    order.refunds.append(("refund-1", 1000, "2026-11-27T11:00:00+00:00"))
    event = deliver("order_refunded", order.payload())
    assert event.status == "done", event.last_error


def ask(client, user, query=QUERY) -> dict:
    login_verified(client, user)
    response = client.post("/finance/graphql", {"query": query}, content_type="application/json")
    return response.json()


def unit_parties(unit) -> set[str]:
    return {unit.party_key, unit.operating_entity.party_key, f"staff_pool:{unit.uid}"}


def test_unit_finance_sees_only_its_units_parties(client, units, posted):
    data = ask(client, operator_of(units[0], role="finance"))["data"]

    assert {row["party"] for row in data["splitLines"]} == unit_parties(units[0])
    assert {row["lineRef"] for row in data["splitLines"]} == {"line-a"}
    assert {row["party"] for row in data["balances"]} == unit_parties(units[0])
    assert all(row["owed"] > 0 for row in data["balances"])
    entry_parties = {e["party"] for t in data["ledgerTransactions"] for e in t["entries"]}
    assert entry_parties == unit_parties(units[0])
    assert {t["kind"] for t in data["ledgerTransactions"]} == {"payment", "refund"}


def test_an_operator_without_finance_role_sees_nothing(client, units, posted):
    body = ask(client, operator_of(units[0]))

    assert body["data"] is None or not any(body["data"].values())
    assert "finance staff only" in body["errors"][0]["message"]


def test_platform_finance_sees_every_party_and_system_account(client, units, posted):
    user = UserFactory()
    user.user_permissions.add(Permission.objects.get(codename="change_settlementbatch"))

    data = ask(client, user)["data"]

    parties = {row["party"] for row in data["splitLines"]}
    assert parties == unit_parties(units[0]) | unit_parties(units[1]) | {"platform"}
    assert sum(row["amount"] for row in data["splitLines"]) == 16800 - 1000
    kinds = {row["accountKind"] for row in data["balances"]}
    assert {"stripe_clearing", "refunds", "party_payable", "platform_revenue"} <= kinds
    for txn in data["ledgerTransactions"]:
        assert sum(e["amount"] for e in txn["entries"]) == 0  # whole transactions balance


def test_anonymous_requests_are_sent_to_login(client):
    response = client.post(
        "/finance/graphql", {"query": "{ balances { party } }"}, content_type="application/json"
    )

    assert response.status_code == 302


def test_platform_finance_sees_parked_events_with_their_reason_unit_finance_does_not(client, units, deliver):
    from .payloads import Line, SaleorOrder

    deliver("order_created", SaleorOrder("order-9", [Line("line-x", "V2FyZWhvdXNlOm5vbmU=", 100)]).payload())
    user = UserFactory()
    user.user_permissions.add(Permission.objects.get(codename="change_settlementbatch"))

    parked = ask(client, user, "{ parkedEvents { eventType reason } }")["data"]["parkedEvents"]
    refused = ask(client, operator_of(units[0], role="finance"), "{ parkedEvents { reason } }")

    assert parked == [{"eventType": "order_created", "reason": parked[0]["reason"]}]
    assert (
        parked[0]["reason"].startswith("unit_unresolved: order order-9") and "line-x" in parked[0]["reason"]
    )
    assert "platform finance only" in refused["errors"][0]["message"]
