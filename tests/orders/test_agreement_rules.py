"""Fee, tax and shipping rules are chosen per agreement version and frozen onto the order's split."""

from __future__ import annotations

import pytest
from django.db import IntegrityError, connection, transaction
from django.db.models import Sum

from payments import ledger_services
from payments import selectors as ledger
from payments.models import SplitLine
from payments.split import FeeRule, ShippingRule, TaxRule
from saleor_app.models import WebhookEvent
from unit_onboarding.agreements import ShareTerm
from unit_onboarding.models import AgreementVersion, Unit

from .conftest import unit_under, unit_with_agreement
from .payloads import Line, SaleorOrder

pytestmark = pytest.mark.django_db


def test_the_agreement_choices_are_the_split_engines_rules():
    assert set(AgreementVersion.FeeRule.values) == {r.value for r in FeeRule}
    assert set(AgreementVersion.TaxRule.values) == {r.value for r in TaxRule}
    assert set(AgreementVersion.ShippingRule.values) == {r.value for r in ShippingRule}


def ruled_unit(**rules) -> Unit:
    return unit_under(
        "Ruled museum",
        "V2FyZWhvdXNlOjk=",
        lambda unit: [ShareTerm(unit.party_key, "unit", 7000), ShareTerm("platform", "platform", 3000)],
        **rules,
    )


def test_default_rules_give_tax_to_the_seller_of_record_and_shipping_to_the_shipping_unit(deliver):
    unit = unit_with_agreement(1)
    order = SaleorOrder(
        "order-d", [Line("line-a", unit.saleor_warehouse_id, 10000, tax=600)], shipping=1000
    ).paid()

    assert deliver("order_fully_paid", order.payload()).status == WebhookEvent.Status.DONE
    nets = ledger.order_line_nets(order_ref="order-d")
    assert nets["shipping"] == [(unit.party_key, 1000, 0)]
    rules = set(SplitLine.objects.filter(order_ref="order-d").values_list("rule", flat=True))
    assert {"tax:seller_of_record", "shipping:shipping_unit"} <= rules


def test_tax_to_the_platform_and_shipping_split_like_goods_when_the_agreement_says_so(deliver):
    unit = ruled_unit(tax_rule="platform", shipping_rule="agreement")
    order = SaleorOrder(
        "order-r", [Line("line-a", unit.saleor_warehouse_id, 10000, tax=600)], shipping=1001
    ).paid()

    event = deliver("order_fully_paid", order.payload())

    assert event.status == WebhookEvent.Status.DONE, event.last_error
    by_rule = {
        (party, rule): amount
        for party, rule, amount in SplitLine.objects.filter(order_ref="order-r").values_list(
            "party", "rule", "amount"
        )
    }
    assert by_rule[("platform", "tax:platform")] == 600
    # 10.01 split 70/30 by the largest remainder: the fen goes to the larger remainder (unit: 700.7)
    assert by_rule[(unit.party_key, "shipping:agreement")] == 701
    assert by_rule[("platform", "shipping:agreement")] == 300
    assert ledger.transactions_unbalanced() == []


@pytest.mark.parametrize("fee_rule, unit_fee", [("pro_rata", 70), ("platform", 0)])
def test_the_card_fee_is_borne_as_the_agreement_says(deliver, fee_rule, unit_fee):
    unit = ruled_unit(fee_rule=fee_rule)
    order = SaleorOrder(f"order-{fee_rule}", [Line("line-a", unit.saleor_warehouse_id, 10000)]).paid()
    assert deliver("order_fully_paid", order.payload()).status == WebhookEvent.Status.DONE

    ledger_services.payment_fee_post(
        idempotency_key=f"fee:{fee_rule}", order_ref=order.id, fee=100, currency="CNY"
    )

    fees = dict(
        SplitLine.objects.filter(order_ref=order.id)
        .values("party")
        .annotate(fee=Sum("fee"))
        .values_list("party", "fee")
    )
    assert fees[unit.party_key] == unit_fee
    assert ledger.transactions_unbalanced() == []


def test_a_version_in_force_keeps_its_rules_even_when_its_open_end_is_closed():
    unit = ruled_unit(fee_rule="platform")
    version = unit.agreement.versions.get()
    with pytest.raises(IntegrityError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            "UPDATE unit_onboarding_agreementversion"
            " SET fee_rule = 'pro_rata', effective_to = now() + interval '1 day' WHERE id = %s",
            [version.pk],
        )
    with connection.cursor() as cursor:  # closing alone is how the next version takes over
        cursor.execute(
            "UPDATE unit_onboarding_agreementversion SET effective_to = now() + interval '1 day'"
            " WHERE id = %s",
            [version.pk],
        )
    version.refresh_from_db()
    assert version.fee_rule == "platform" and version.effective_to is not None
