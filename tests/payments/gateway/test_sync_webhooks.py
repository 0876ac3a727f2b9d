"""Saleor's payment sync webhooks answered against localstripe; every answer fits Saleor's JSON schema."""

from __future__ import annotations

import pytest

from payments.gateway.models import PaymentIntentRecord
from tests.factories import APP_ID
from tests.payments.gateway.conftest import schema_validator
from tests.payments.gateway.saleor_payloads import deliver, now, requested, session

pytestmark = [pytest.mark.django_db, pytest.mark.saleor_schema]


def answer(response, schema: str) -> dict:
    assert response.status_code == 200, response.content
    body = response.json()
    errors = [e.message for e in schema_validator(schema).iter_errors(body)]
    assert errors == [], errors
    return body


# Saleor's sync webhook for each action it asks of the gateway, and the schema of the gateway's answer.
ACTION_WEBHOOKS = {
    "CHARGE": ("transaction-charge-requested", "TransactionChargeRequested"),
    "REFUND": ("transaction-refund-requested", "TransactionRefundRequested"),
    "CANCEL": ("transaction-cancelation-requested", "TransactionCancelationRequested"),
}


def action_requested(
    client, signer, action: str, *, transaction_id: str, psp_reference: str, amount: str
) -> dict:
    """Saleor asks the gateway to charge, refund or cancel; the gateway's answer, valid by Saleor's schema."""
    webhook, schema = ACTION_WEBHOOKS[action]
    payload = requested(
        transaction_id=transaction_id, psp_reference=psp_reference, action_type=action, amount=amount
    )
    return answer(deliver(client, signer, webhook, payload), schema)


def initialize(client, signer, **kwargs) -> tuple[dict, dict]:
    payload = session(**kwargs)
    body = answer(
        deliver(client, signer, "transaction-initialize-session", payload), "TransactionInitializeSession"
    )
    return payload, body


def process(client, signer, payload: dict) -> dict:
    process_payload = {k: v for k, v in payload.items() if k != "idempotencyKey"}
    response = deliver(client, signer, "transaction-process-session", process_payload)
    return answer(response, "TransactionProcessSession")


def test_gateway_initialize_offers_the_channels_methods_and_publishable_key(client, signer, saleor):
    payload = {
        "issuedAt": now(),
        "recipient": {"id": APP_ID},
        "amount": None,
        "data": None,
        "sourceObject": {
            "__typename": "Checkout",
            "id": "Q2hlY2tvdXQ6MQ==",
            "channel": {"slug": "museum-cny", "currencyCode": "CNY"},
        },
    }

    museum = answer(
        deliver(client, signer, "payment-gateway-initialize-session", payload),
        "PaymentGatewayInitializeSession",
    )
    payload["sourceObject"]["channel"]["slug"] = "elsewhere"
    other = answer(
        deliver(client, signer, "payment-gateway-initialize-session", payload),
        "PaymentGatewayInitializeSession",
    )

    assert museum["data"] == {
        "publishableKey": "pk_test_wenchuang",
        "paymentMethodTypes": ["card", "alipay", "wechat_pay"],
        "testMode": True,
    }
    assert other["data"]["paymentMethodTypes"] == ["card"]


def test_initialize_creates_a_payment_intent_for_the_exact_amount_in_fen(client, signer, saleor, localstripe):
    payload, body = initialize(client, signer, amount="1234567.89")

    pi = localstripe.get(f"payment_intents/{body['pspReference']}")
    assert body["result"] == "CHARGE_ACTION_REQUIRED"
    assert body["amount"] == "1234567.89"
    assert body["data"]["clientSecret"] == pi["client_secret"]
    assert (pi["amount"], pi["currency"]) == (123456789, "cny")
    assert pi["metadata"]["saleor_transaction_id"] == payload["transaction"]["id"]
    assert pi["metadata"]["saleor_source_id"] == payload["sourceObject"]["id"]
    assert pi["metadata"]["saleor_channel"] == "museum-cny"
    record = PaymentIntentRecord.objects.get()
    assert record.payment_intent_id == pi["id"]
    assert record.idempotency_key == f"wc-pi:{payload['transaction']['id']}:{payload['idempotencyKey']}"


def test_a_repeated_initialize_returns_the_same_payment_intent(client, signer, saleor):
    payload = session(amount="88.00")

    first = deliver(client, signer, "transaction-initialize-session", payload).json()
    second = deliver(client, signer, "transaction-initialize-session", payload).json()

    assert first["pspReference"] == second["pspReference"]
    assert first["data"]["clientSecret"] == second["data"]["clientSecret"]
    assert PaymentIntentRecord.objects.count() == 1


def test_a_fraction_of_a_fen_is_refused_not_rounded(client, signer, saleor):
    _payload, body = initialize(client, signer, amount="10.005")

    assert body["result"] == "CHARGE_FAILURE"
    assert "whole number of minor units" in body["message"]
    assert PaymentIntentRecord.objects.count() == 0


def test_card_payment_processes_to_charge_success(client, signer, saleor, localstripe):
    payload, body = initialize(client, signer, amount="199.90")
    localstripe.pay(body["pspReference"])

    result = process(client, signer, payload)

    assert result["result"] == "CHARGE_SUCCESS"
    assert result["amount"] == "199.90"
    assert result["pspReference"] == body["pspReference"]


def test_a_declined_card_asks_again_on_the_same_payment_intent(client, signer, saleor, localstripe):
    # A retry confirms the same PaymentIntent (one intent per Saleor transaction), so it cannot charge twice.
    # localstripe cannot re-confirm a declined intent, so the second attempt itself is not exercised here.
    payload, body = initialize(client, signer, amount="50.00")
    localstripe.pay(body["pspReference"], card="4000000000000341")

    declined = process(client, signer, payload)
    again = deliver(client, signer, "transaction-initialize-session", payload).json()

    assert declined["result"] == "CHARGE_ACTION_REQUIRED"
    assert declined["pspReference"] == body["pspReference"]
    assert "declined" in declined["data"]["error"].lower()
    assert declined["data"]["clientSecret"] == body["data"]["clientSecret"]
    assert again["pspReference"] == body["pspReference"]
    assert PaymentIntentRecord.objects.count() == 1


def test_authorize_then_charge_then_partial_and_full_refund(client, signer, saleor, localstripe):
    payload, body = initialize(client, signer, amount="300.00", action_type="AUTHORIZATION")
    pi_id = body["pspReference"]
    localstripe.pay(pi_id)
    txn = payload["transaction"]["id"]

    authorized = process(client, signer, payload)
    charged = action_requested(
        client, signer, "CHARGE", transaction_id=txn, psp_reference=pi_id, amount="300.00"
    )
    partial = action_requested(
        client, signer, "REFUND", transaction_id=txn, psp_reference=pi_id, amount="120.50"
    )
    rest = action_requested(
        client, signer, "REFUND", transaction_id=txn, psp_reference=pi_id, amount="179.50"
    )

    assert body["data"]["paymentMethodTypes"] == ["card"]  # only cards can be captured later
    assert authorized["result"] == "AUTHORIZATION_SUCCESS" and authorized["amount"] == "300.00"
    assert charged["result"] == "CHARGE_SUCCESS" and charged["amount"] == "300.00"
    assert (partial["result"], partial["amount"]) == ("REFUND_SUCCESS", "120.50")
    assert (rest["result"], rest["amount"]) == ("REFUND_SUCCESS", "179.50")
    charge_id = localstripe.get(f"payment_intents/{pi_id}")["latest_charge"]
    if isinstance(charge_id, dict):
        charge_id = charge_id["id"]
    refunds = localstripe.get(f"refunds?charge={charge_id}")["data"]
    assert sorted(r["amount"] for r in refunds) == [12050, 17950]
    assert {r["metadata"]["saleor_transaction_id"] for r in refunds} == {txn}


def test_another_apps_refund_request_of_our_payment_is_refused_and_refunds_nothing(
    client, signer, saleor, localstripe
):
    # Another payment app in the same Saleor made a transaction of its own whose pspReference is our
    # PaymentIntent, and aimed its TRANSACTION_REFUND_REQUESTED webhook here: signed by the same key.
    payload, body = initialize(client, signer, amount="88.00")
    pi_id = body["pspReference"]
    localstripe.pay(pi_id)
    process(client, signer, payload)
    theirs = requested(
        transaction_id=payload["transaction"]["id"], psp_reference=pi_id, action_type="REFUND", amount="88.00"
    )
    theirs["recipient"] = {"id": "QXBwOjk5"}

    response = deliver(client, signer, "transaction-refund-requested", theirs)

    assert response.status_code == 403
    assert response.json()["error"]["code"] == "recipient_mismatch"
    charge = localstripe.get(f"payment_intents/{pi_id}")["latest_charge"]
    charge_id = charge["id"] if isinstance(charge, dict) else charge
    assert localstripe.get(f"refunds?charge={charge_id}")["data"] == []


def test_cancel_releases_an_authorisation(client, signer, saleor, localstripe):
    payload, body = initialize(client, signer, amount="42.00", action_type="AUTHORIZATION")
    localstripe.pay(body["pspReference"])
    process(client, signer, payload)

    canceled = action_requested(
        client,
        signer,
        "CANCEL",
        transaction_id=payload["transaction"]["id"],
        psp_reference=body["pspReference"],
        amount="42.00",
    )

    assert canceled["result"] == "CANCEL_SUCCESS"
    assert localstripe.get(f"payment_intents/{body['pspReference']}")["status"] == "canceled"


def test_a_refund_for_an_unknown_transaction_fails_clearly(client, signer, saleor):
    body = action_requested(
        client,
        signer,
        "REFUND",
        transaction_id="VHJhbnNhY3Rpb25JdGVtOnVua25vd24=",
        psp_reference="pi_x",
        amount="1.00",
    )

    assert body["result"] == "REFUND_FAILURE"
    assert body["message"] == "This payment is not known to the Stripe gateway."


def test_a_charge_of_a_fraction_of_a_fen_fails_and_captures_nothing(client, signer, saleor, localstripe):
    payload, body = initialize(client, signer, amount="42.00", action_type="AUTHORIZATION")
    pi_id = body["pspReference"]
    localstripe.pay(pi_id)
    process(client, signer, payload)

    charged = action_requested(
        client,
        signer,
        "CHARGE",
        transaction_id=payload["transaction"]["id"],
        psp_reference=pi_id,
        amount="10.005",
    )

    assert charged == {
        "result": "CHARGE_FAILURE",
        "message": (
            "This amount cannot be paid with Stripe. (10.005 CNY is not a whole number of minor units)"
        ),
    }
    assert localstripe.get(f"payment_intents/{pi_id}")["status"] == "requires_capture"


def test_a_cancel_for_an_unknown_transaction_fails_clearly(client, signer, saleor):
    body = action_requested(
        client,
        signer,
        "CANCEL",
        transaction_id="VHJhbnNhY3Rpb25JdGVtOnVua25vd24=",
        psp_reference="pi_x",
        amount="1.00",
    )

    assert body == {"result": "CANCEL_FAILURE", "message": "This payment is not known to the Stripe gateway."}


def test_a_forged_saleor_signature_is_refused(client, signer, saleor):
    from tests.saleor_signing import SaleorSigner

    response = deliver(
        client,
        SaleorSigner.generate(kid="test-key-1"),
        "transaction-initialize-session",
        session(amount="10.00"),
    )

    assert response.status_code == 401
    assert PaymentIntentRecord.objects.count() == 0


@pytest.mark.parametrize("issued_at", ["2026-01-01T00:00:00+00:00", None], ids=["old", "missing"])
def test_a_replayed_or_undated_saleor_webhook_is_refused(client, signer, saleor, issued_at):
    payload = session(amount="10.00")
    payload["issuedAt"] = issued_at

    response = deliver(client, signer, "transaction-initialize-session", payload)

    assert response.status_code == 401
    assert response.json()["error"]["code"] == "stale_webhook"
    assert PaymentIntentRecord.objects.count() == 0


def test_a_signed_body_that_is_not_a_json_object_is_refused_as_a_bad_body(client, signer, saleor):
    response = deliver(client, signer, "transaction-initialize-session", [session(amount="10.00")])

    # the same checks as the shipping webhooks' (saleor_app.sync_deliveries): before, a 503 asking a retry
    assert response.status_code == 400
    assert response.json()["error"] == {"code": "bad_request_body", "message": "Body is not a JSON object."}
    assert PaymentIntentRecord.objects.count() == 0
