"""Closed periods keep what each account moved in them; balances read those sums plus the entries since.

The rule "balances are sums of entries" is checked by recomputing every balance from the entries one by
one (account_balances_from_entries) and by the audit of each closed period's sums against its entries.
"""

from __future__ import annotations

import pytest
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext

from payments.error_codes import SettlementError, SettlementErrorCode
from payments.ledger_services import transaction_reverse
from payments.models import AccountingPeriod, ClosedPeriodBalance, LedgerTransaction
from payments.reconciliation import services
from payments.selectors import (
    FIGURES,
    account_balances,
    account_balances_from_entries,
    closed_balances_mismatched,
    party_owed,
)
from tests.payments.settlement.conftest import at, pay, refund
from tests.unit_onboarding.factories import UserFactory

pytestmark = pytest.mark.django_db


def _close(period: AccountingPeriod) -> None:
    """Close the books of a period as period_close does once it is reconciled."""
    with transaction.atomic():
        services.period_books_close(period=AccountingPeriod.objects.get(pk=period.pk), actor=UserFactory())
        with connection.cursor() as cursor:
            # the commit-time checks now, inside the test's transaction; deferred again for what follows
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute("SET CONSTRAINTS ALL DEFERRED")


def _month(month: int, year: int = 2026) -> AccountingPeriod:
    end = at(1, month + 1, 0, year) if month < 12 else at(1, 1, 0, year + 1)
    return services.period_open(start=at(1, month, 0, year), end=end)


def test_balances_from_closed_periods_equal_the_sums_of_all_entries(parties):
    # given postings in September, October, November and December, refunds and a correction among them
    unit, bank = parties["stripe"], parties["bank"]
    pay("s1", unit, 10_000, at(10, 9), fee=300)
    pay("o1", bank, 20_000, at(5, 10), fee=500)
    refund("o1", 4_000, at(6, 10))
    pay("n1", unit, 7_000, at(3, 11))
    wrong = LedgerTransaction.objects.get(idempotency_key="payment:n1")
    transaction_reverse(transaction_id=wrong.pk, idempotency_key="fix:n1", memo="wrong", posted_at=at(4, 11))
    pay("n2", bank, 3_000, at(30, 11, 23))
    pay("d1", unit, 9_000, at(2, 12))
    everything = account_balances_from_entries()

    # when October and November close (September stays open, before them)
    october, november = _month(10), _month(11)
    _close(october)
    _close(november)

    # then each closed period stores what each account moved in it, exactly its entries' sums
    assert ClosedPeriodBalance.objects.filter(period=october).exists()
    assert ClosedPeriodBalance.objects.filter(period=november).exists()
    assert closed_balances_mismatched() == []
    # and every balance read from them is the sum of all entries
    assert account_balances() == everything
    assert sum(account_balances().values()) == 0

    # when more is posted into the open months before and after them (September, December)
    pay("s2", bank, 1_111, at(20, 9))
    refund("d1", 2_000, at(3, 12))
    # then balances still equal the sums of all entries, and closed months refuse postings
    assert account_balances() == account_balances_from_entries() != everything
    payable = account_balances_from_entries()[("party_payable", bank, "CNY")]
    assert party_owed(currency="CNY")[bank] == -payable
    with pytest.raises(IntegrityError, match="closed"), transaction.atomic():
        pay("n3", bank, 1_000, at(15, 11))


def test_a_period_with_no_postings_closes_with_no_rows_and_balances_hold(parties):
    pay("o1", parties["bank"], 10_000, at(5, 10))
    _close(_month(11))
    assert not ClosedPeriodBalance.objects.exists()
    assert account_balances() == account_balances_from_entries()


@pytest.mark.django_db(transaction=True)  # the close commits: another transaction then tries to add rows
def test_closing_balances_cannot_change_or_be_added_later(parties):
    # given a closed October
    pay("o1", parties["bank"], 10_000, at(5, 10))
    october = _month(10)
    _close(october)
    row = ClosedPeriodBalance.objects.filter(period=october).first()

    # then its rows can be neither updated nor deleted
    with pytest.raises(IntegrityError, match="append-only"), transaction.atomic():
        ClosedPeriodBalance.objects.filter(pk=row.pk).update(amount=row.amount + 1)
    with pytest.raises(IntegrityError, match="append-only"), transaction.atomic():
        ClosedPeriodBalance.objects.filter(pk=row.pk).delete()
    # nor can another transaction add one
    with pytest.raises(IntegrityError, match="transaction that closes it"), transaction.atomic():
        ClosedPeriodBalance.objects.create(
            period=october, account_id=row.account_id, currency="USD", amount=1
        )
    # nor can rows be written for an open period
    november = _month(11)
    with pytest.raises(IntegrityError, match="transaction that closes it"), transaction.atomic():
        ClosedPeriodBalance.objects.create(
            period=november, account_id=row.account_id, currency="CNY", amount=5
        )
    assert closed_balances_mismatched() == []


def test_a_period_closed_without_its_sums_or_with_wrong_ones_cannot_commit(parties):
    pay("o1", parties["bank"], 10_000, at(5, 10))
    october = _month(10)
    # closed without its sums
    with pytest.raises(IntegrityError, match="closing balance"), transaction.atomic():
        AccountingPeriod.objects.filter(pk=october.pk).update(status="closed")
        with connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    # closed with a wrong sum
    with pytest.raises(IntegrityError, match="closing balance"), transaction.atomic():
        AccountingPeriod.objects.filter(pk=october.pk).update(status="closed")
        with connection.cursor() as cursor:
            cursor.execute(
                "INSERT INTO payments_closedperiodbalance (period_id, account_id, currency, amount) "
                "SELECT %s, account_id, currency, amount + 1 FROM payments_period_movements(%s)",
                [october.pk, october.pk],
            )
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    october.refresh_from_db()
    assert october.status == "open"


def test_a_period_overlapping_a_closed_one_cannot_close(parties):
    pay("o1", parties["bank"], 10_000, at(5, 10))
    _close(_month(10))
    overlapping = services.period_open(start=at(15, 10, 0), end=at(15, 11, 0))
    # the service refuses with a clear code
    with pytest.raises(SettlementError) as refused:
        services.period_close(period_id=overlapping.pk, actor=UserFactory())
    assert refused.value.code == SettlementErrorCode.PERIOD_OVERLAP
    # and PostgreSQL refuses whoever goes around it
    with pytest.raises(IntegrityError, match="overlaps"), transaction.atomic():
        AccountingPeriod.objects.filter(pk=overlapping.pk).update(status="closed")
    assert account_balances() == account_balances_from_entries()


def test_statement_openings_from_closed_periods_equal_the_entries_before_them(parties):
    from payments.models import LedgerEntry
    from payments.settlement.statements import statements

    unit, bank = parties["stripe"], parties["bank"]
    pay("s1", unit, 10_000, at(10, 9), fee=300)
    pay("o1", bank, 20_000, at(5, 10), fee=500)
    refund("o1", 4_000, at(20, 11))
    pay("d1", unit, 9_000, at(2, 12))
    _close(_month(10))
    _close(_month(11))

    def owed_before(party, when):
        entries = LedgerEntry.objects.filter(
            account__party=party, account__kind="party_payable", transaction__posted_at__lt=when
        )
        return -sum(entries.values_list("amount", flat=True))

    # a statement starting after the closed months, and one starting inside a closed month (mid-November)
    for start, end in ((at(1, 12, 0), at(1, 1, 0, 2027)), (at(15, 11, 0), at(15, 12, 0))):
        rows = {row.party: row for row in statements(start=start, end=end, currency="CNY")}
        for party in (unit, bank):
            assert rows[party].opening == owed_before(party, start)
            assert rows[party].closing == owed_before(party, end)
        assert rows == {
            row.party: row for row in statements(start=start, end=end, currency="CNY", parties=set(rows))
        }


def test_statements_of_closed_periods_read_the_figures_kept_at_the_close_and_equal_the_lines(parties):
    from payments.ledger_services import payment_fee_post
    from payments.models import ClosedPeriodStatement
    from payments.selectors import closed_statements_mismatched
    from payments.settlement.statements import statements

    # given October and November with payments, a fee posted after its payment, refunds and a correction
    unit, bank = parties["stripe"], parties["bank"]
    pay("o1", bank, 20_000, at(5, 10), fee=500)
    refund("o1", 4_000, at(6, 10))
    pay("o2", unit, 8_000, at(7, 10))
    payment_fee_post(idempotency_key="fee:o2", order_ref="o2", fee=240, currency="CNY", posted_at=at(8, 10))
    pay("n1", unit, 7_000, at(3, 11))
    wrong = LedgerTransaction.objects.get(idempotency_key="payment:n1")
    transaction_reverse(transaction_id=wrong.pk, idempotency_key="fix:n1", memo="wrong", posted_at=at(4, 11))
    refund("o2", 1_000, at(20, 11))
    spans = [(at(1, 10, 0), at(1, 11, 0)), (at(1, 10, 0), at(1, 12, 0)), (at(15, 9, 0), at(15, 11, 0))]
    before = {span: statements(start=span[0], end=span[1], currency="CNY") for span in spans}
    one = statements(start=spans[0][0], end=spans[0][1], currency="CNY", parties={bank})

    # when October closes
    october = _month(10)
    _close(october)

    # then it keeps one row of figures per party, and the statements read from them are those from the lines,
    # for the closed month, for it and the open month after, and for a span the closed month ends
    kept = ClosedPeriodStatement.objects.filter(period=october)
    assert {row.party for row in kept} == {unit, bank, "platform"}
    for span in spans:
        assert statements(start=span[0], end=span[1], currency="CNY") == before[span]
    assert statements(start=spans[0][0], end=spans[0][1], currency="CNY", parties={bank}) == one
    assert one[0].sales == 18_000 and one[0].refunds == -3_600 and one[0].fees == 450
    # and the audit finds them equal to the lines and entries
    assert closed_statements_mismatched() == []
    # and a closed month's statement no longer reads its split lines (nor its entries: the opening's
    # balances read only the entries before it)
    with CaptureQueriesContext(connection) as queries:
        statements(start=spans[0][0], end=spans[0][1], currency="CNY", parties={bank})
    assert not any("payments_splitline" in q["sql"] for q in queries.captured_queries)


@pytest.mark.django_db(transaction=True)  # the close commits: another transaction then tries to change rows
def test_closed_statement_figures_cannot_change_and_must_match_the_closing_balances(parties):
    from payments.models import ClosedPeriodStatement

    pay("o1", parties["bank"], 10_000, at(5, 10))
    october = _month(10)
    _close(october)
    row = ClosedPeriodStatement.objects.filter(period=october).first()
    with pytest.raises(IntegrityError, match="append-only"), transaction.atomic():
        ClosedPeriodStatement.objects.filter(pk=row.pk).update(movement=row.movement + 1)
    with pytest.raises(IntegrityError, match="transaction that closes it"), transaction.atomic():
        ClosedPeriodStatement.objects.create(
            **{f: getattr(row, f) for f in FIGURES}, period=october, party="unit:x", currency="CNY"
        )
    # a period closed with its balances but a party's statement movement different: refused at commit
    pay("n1", parties["bank"], 10_000, at(5, 11))
    november = _month(11)
    with pytest.raises(IntegrityError, match="its statement says"), transaction.atomic():
        AccountingPeriod.objects.filter(pk=november.pk).update(status="closed")
        with connection.cursor() as cursor:
            cursor.execute(
                "INSERT INTO payments_closedperiodbalance (period_id, account_id, currency, amount) "
                "SELECT %s, account_id, currency, amount FROM payments_period_movements(%s)",
                [november.pk, november.pk],
            )
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    november.refresh_from_db()
    assert november.status == "open"
