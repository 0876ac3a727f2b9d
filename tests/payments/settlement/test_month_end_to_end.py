"""The issue's check: a month of demo orders with refunds settles into batches whose totals equal the
ledger balances; a transfer to a connected account and a bank file are both produced; a second run pays
nothing twice.

The month comes through the orders projection and split (tests/payments/settlement/month.py); the
expected figures are computed here straight from ledger entries and from the orders' own charges and
refunds, not through the settlement selectors under test.
"""

from __future__ import annotations

import csv
import io
from datetime import UTC, date, datetime

import pytest
from django.contrib.auth.models import Permission
from django.db.models import Sum
from django.urls import reverse
from openpyxl import load_workbook

from payments.models import Account, LedgerEntry, LedgerTransaction, SplitLine
from payments.settlement import selectors, services
from payments.settlement.periods import at_midnight
from tests.auth import login_verified
from tests.payments.settlement.month import november
from tests.unit_onboarding.factories import UserFactory

pytestmark = pytest.mark.django_db
NOV = (date(2026, 11, 1), date(2026, 12, 1))
CUTOFF = at_midnight(date(2026, 11, 24))  # the month's end less the 7-day return window (Beijing time)


def _finance():
    user = UserFactory()
    user.user_permissions.add(Permission.objects.get(codename="change_settlementbatch"))
    return user


def _payable(*, upto: datetime | None = None) -> dict[str, int]:
    """Each party's payable balance from its ledger entries (optionally posted up to `upto`)."""
    entries = LedgerEntry.objects.filter(account__kind=Account.Kind.PARTY_PAYABLE, currency="CNY")
    if upto is not None:
        entries = entries.filter(transaction__posted_at__lte=upto)
    rows = entries.values("account__party").annotate(total=Sum("amount"))
    return {r["account__party"]: -r["total"] for r in rows if r["total"]}


def _balance(kind: str, upto: datetime) -> int:
    """Credit balance of the platform's account of this kind at `upto` (an expense comes out negative)."""
    return -LedgerEntry.objects.filter(account__kind=kind, transaction__posted_at__lte=upto).aggregate(
        s=Sum("amount")
    )["s"]


def _when(text: str) -> datetime:
    return datetime.fromisoformat(text)


def test_a_month_of_orders_with_refunds_settles_to_the_ledger_pays_by_transfer_and_bank_file_and_only_once(
    client, settings, connect
):
    settings.SETTLEMENT_RETURN_WINDOW_DAYS = 7
    month = november()
    maker, checker = _finance(), _finance()

    # when November is settled (on 2 December)
    batches = {
        b.party: b
        for b in services.settlement_run(
            period_start=NOV[0], period_end=NOV[1], actor=maker, now=datetime(2026, 12, 2, tzinfo=UTC)
        )
    }

    # then every party with money owed at the cutoff has a batch of exactly its ledger balance there
    owed = _payable(upto=CUTOFF)
    assert {p: b.amount for p, b in batches.items()} == owed
    assert all(b.cutoff == CUTOFF and b.status == "proposed" for b in batches.values())
    museum_entity = month.museum.operating_entity.party_key
    library_entity = month.library.operating_entity.party_key
    assert {month.museum.party_key, museum_entity, library_entity, month.library.party_key} <= set(batches)
    assert batches[museum_entity].method == "stripe" and batches[library_entity].method == "bank"
    # the museum's own share is the institution's: by bank to its account, not to its entity's Stripe
    assert batches[month.museum.party_key].method == "bank"

    # and with the platform's revenue, less its part of Stripe's fees, they are what buyers paid less
    # refunds and Stripe's fees up to the cutoff
    paid = sum(a for o in month.orders for _, a, at in o.charges if _when(at) <= CUTOFF)
    refunded = sum(a for o in month.orders for _, a, at in o.refunds if _when(at) <= CUTOFF)
    fees = sum(month.fees.values())  # all posted with their payments, before the cutoff
    platform = _balance(Account.Kind.PLATFORM_REVENUE, CUTOFF) + _balance(Account.Kind.PROCESSOR_FEES, CUTOFF)
    assert sum(b.amount for b in batches.values()) + platform == paid - refunded - fees
    assert fees and refunded  # the month has both, so the sum above tests them

    # and the return window is held back: m-5 (paid 26 Nov) and m-6's refund (27 Nov) are in no batch
    settled = {(ln["order_ref"], ln["kind"]) for b in batches.values() for ln in selectors.batch_lines(b)}
    assert ("m-5", "payment") not in settled and ("m-6", "refund") not in settled
    assert ("m-6", "payment") in settled and ("m-3", "refund") in settled
    payable_parties = Account.objects.filter(kind=Account.Kind.PARTY_PAYABLE).values("party")
    held_back = {
        r["party"]: r["net"]
        for r in SplitLine.objects.filter(
            transaction__posted_at__gt=CUTOFF, currency="CNY", party__in=payable_parties
        )
        .values("party")
        .annotate(net=Sum("amount") - Sum("fee"))
        if r["net"]
    }
    assert held_back  # the window holds something back, so the checks below can fail
    for party, now_owed in _payable().items():
        assert now_owed == owed.get(party, 0) + held_back.get(party, 0), party

    # when one finance user approves every batch and another executes them
    for batch in batches.values():
        services.settlement_approve(batch_id=batch.pk, actor=maker)
        services.settlement_execute(batch_id=batch.pk, actor=checker)

    # then the Stripe parties were paid by transfers to the museum's connected account, per order
    stripe = [b for b in batches.values() if b.method == "stripe"]
    assert stripe and connect.transfers
    for batch in stripe:
        sent = [t for t in connect.transfers if t["metadata"]["settlement_batch"] == str(batch.pk)]
        assert sum(t["amount"] for t in sent) == batch.amount
        assert {t["destination"] for t in sent} == {"acct_museum"}
        assert {t["transfer_group"] for t in sent} <= {o.id for o in month.orders}

    # and the bank parties are in the bank file, as CSV and as XLSX, with their batch amounts
    login_verified(client, checker)
    bank = {b.pk: b.amount for b in batches.values() if b.method == "bank"}
    body = client.get(reverse("finance:bank_file", args=["csv"])).content.decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(body)))
    assert {int(r["batch"]): int(r["amount_fen"]) for r in rows} == bank
    library_row = next(r for r in rows if r["party"] == library_entity)
    assert (library_row["bank"], library_row["account"]) == ("中国工商银行", "6222020200112233")
    for unit, payee in ((month.museum, "某某博物馆"), (month.library, "某某图书馆")):
        unit_row = next(r for r in rows if r["party"] == unit.party_key)
        assert (unit_row["payee"], unit_row["account"]) == (payee, unit.payout_bank_account)
    assert {r["account"] for r in rows if r["party"].startswith("unit:")}.isdisjoint({"6222020200112233"})
    sheet = load_workbook(
        io.BytesIO(client.get(reverse("finance:bank_file", args=["xlsx"])).content), read_only=True
    ).active
    xlsx = list(sheet.iter_rows(values_only=True))
    assert {r[0]: r[5] for r in xlsx[1:]} == bank

    # and every payout is posted: what is still payable is exactly the held-back return window
    assert LedgerTransaction.objects.filter(kind="payout").count() == len(batches)
    assert _payable() == held_back

    # when November is settled again, by hand and as the beat job would on 3 December, and re-executed
    transfers, requests = len(connect.transfers), len(connect.requests)
    again = services.settlement_run(period_start=NOV[0], period_end=NOV[1], actor=maker)
    _start, _end, scheduled = services.settlement_run_closed_period(actor=maker, today=date(2026, 12, 3))
    for batch in again:
        services.settlement_execute(batch_id=batch.pk, actor=checker)

    # then nothing is proposed or paid twice
    assert {b.pk for b in again} == {b.pk for b in scheduled} == {b.pk for b in batches.values()}
    assert (len(connect.transfers), len(connect.requests)) == (transfers, requests)
    assert LedgerTransaction.objects.filter(kind="payout").count() == len(batches)

    # and December's run pays the held-back window, and only that
    december = services.settlement_run(
        period_start=NOV[1], period_end=date(2027, 1, 1), actor=maker, now=datetime(2027, 1, 2, tzinfo=UTC)
    )
    assert {b.party: b.amount for b in december} == held_back
    assert all(ln["posted_at"] > CUTOFF for b in december for ln in selectors.batch_lines(b))
