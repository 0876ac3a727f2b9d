"""Bodies of Saleor's payment sync webhooks, shaped exactly as our subscription queries ask for."""

from __future__ import annotations

import base64
import json
import uuid
from datetime import UTC, datetime
from decimal import Decimal

from tests.factories import APP_ID

API_URL = "http://127.0.0.1:8000/graphql/"


def now() -> str:
    return datetime.now(UTC).isoformat()


def gid(kind: str) -> str:
    return base64.b64encode(f"{kind}:{uuid.uuid4()}".encode()).decode()


def dumps(payload: dict) -> bytes:
    text = json.dumps(payload, default=lambda d: f"@@{d}@@")
    return text.replace('"@@', "").replace('@@"', "").encode()


def session(
    *,
    amount: str,
    currency: str = "CNY",
    action_type: str = "CHARGE",
    channel: str = "museum-cny",
    transaction_id: str | None = None,
    idempotency_key: str | None = None,
    initialize: bool = True,
) -> dict:
    payload = {
        "issuedAt": now(),
        "version": "3.24.0-a.0",
        "recipient": {"id": APP_ID},
        "merchantReference": gid("TransactionItem"),
        "data": None,
        "action": {"amount": Decimal(amount), "currency": currency, "actionType": action_type},
        "transaction": {"id": transaction_id or gid("TransactionItem"), "pspReference": ""},
        "sourceObject": {"__typename": "Checkout", "id": gid("Checkout"), "channel": {"slug": channel}},
    }
    if initialize:
        payload["idempotencyKey"] = idempotency_key or uuid.uuid4().hex
    return payload


def requested(
    *, transaction_id: str, psp_reference: str, action_type: str, amount: str, currency: str = "CNY"
) -> dict:
    request_type = {"CHARGE": "CHARGE_REQUEST", "REFUND": "REFUND_REQUEST", "CANCEL": "CANCEL_REQUEST"}
    return {
        "issuedAt": now(),
        "version": "3.24.0-a.0",
        "recipient": {"id": APP_ID},
        "action": {"actionType": action_type, "amount": Decimal(amount), "currency": currency},
        "grantedRefund": None,
        "transaction": {
            "id": transaction_id,
            "pspReference": psp_reference,
            "events": [
                {
                    "id": gid("TransactionEvent"),
                    "type": request_type[action_type],
                    "createdAt": "2026-11-27T11:00:00+00:00",
                    "pspReference": "",
                    "amount": {"amount": Decimal(amount), "currency": currency},
                }
            ],
        },
    }


def deliver(
    client, signer, name: str, payload: dict, *, event: str | None = None, signature: str | None = None
):
    body = dumps(payload)
    headers = {
        "Saleor-Event": event or name.replace("-", "_"),
        "Saleor-Api-Url": API_URL,
        "Saleor-Domain": "127.0.0.1:8000",
        "Saleor-Signature": signature if signature is not None else signer.sign(body),
    }
    return client.post(
        f"/payments/gateway/saleor/{name}", data=body, content_type="application/json", headers=headers
    )
