"""Per-product royalties: the designer's and the IP licensor's, in force at payment, carved from the line."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest
from django.utils import translation

from catalog import provenance
from catalog.error_codes import CatalogError, CatalogErrorCode
from catalog.models import IpLicence
from payments import selectors as ledger
from payments.error_codes import SettlementError, SettlementErrorCode
from payments.models import SplitLine
from payments.settlement import selectors as settlement_selectors
from payments.settlement import services as settlement
from payments.split import allocate
from saleor_app.models import WebhookEvent
from tests.catalog.factories import make_listing
from tests.unit_onboarding.factories import DesignerFactory, UserFactory
from unit_onboarding.models import Designer

from .conftest import unit_with_agreement
from .payloads import two_unit_order

pytestmark = pytest.mark.django_db
PAID_AT = "2026-11-27T10:05:00+00:00"
PAID = datetime.fromisoformat(PAID_AT)


@pytest.fixture(autouse=True)
def _paid_now(time_machine):
    """Business time is the payment's: the inbox posts each delivery at the clock's now."""
    time_machine.move_to(PAID, tick=False)


def licence_of(licensor, *, royalty_bps: int, valid_from: date, valid_until: date) -> IpLicence:
    return provenance.ip_licence_create(
        licensor=licensor,
        data={
            "licensee_name": "某文创公司",
            "licensee_credit_code": "",
            "scope": "bronze mirror motif",
            "valid_from": valid_from,
            "valid_until": valid_until,
            "royalty_bps": royalty_bps,
        },
    )


def set_royalty(listing, slug: str, bps: int, start: datetime):
    """Terms as finance set them at `start` (the service refuses a start in the past)."""
    designer = Designer.objects.filter(slug=slug).first() or DesignerFactory(unit=listing.unit, slug=slug)
    return provenance.designer_royalty_set(
        listing=listing, designer=designer, bps=bps, effective_from=start, now=start
    )


def paid_order_of(units, listing):
    """The two units' order, its line A of `listing`, paid at PAID_AT."""
    order = two_unit_order(units)
    order.lines[0].listing = listing.pk
    return order.paid(at=PAID_AT)


def line_a_shares(order_ref: str = "order-1") -> dict[str, int]:
    return {p: amt for p, amt, _ in ledger.order_line_nets(order_ref=order_ref)["line-a"]}


def test_designer_and_licence_royalties_are_carved_from_the_line_and_frozen_with_their_rule(units, deliver):
    licensor = unit_with_agreement(3)
    listing = make_listing(units[0])
    set_royalty(listing, "li-hua", 500, PAID - timedelta(days=30))
    listing.licence = licence_of(
        licensor, royalty_bps=300, valid_from=date(2026, 1, 1), valid_until=date(2026, 12, 31)
    )
    listing.save(update_fields=["licence"])
    order = paid_order_of(units, listing)

    event = deliver("order_fully_paid", order.payload())

    assert event.status == WebhookEvent.Status.DONE, event.last_error
    shares = line_a_shares()
    assert sum(shares.values()) == 7200  # the line's net, voucher share already off
    designer, licensor_part, rest = allocate(7200, [500, 300, 9200])
    assert (shares["designer:li-hua"], shares[licensor.party_key]) == (designer, licensor_part) == (360, 216)
    agreement = SplitLine.objects.filter(line_ref="line-a", rule="agreement").order_by("position")
    assert [s.amount for s in agreement] == allocate(rest, [s.bps for s in agreement])  # the rest, as agreed
    rules = dict(SplitLine.objects.filter(line_ref="line-a").values_list("party", "rule"))
    assert rules["designer:li-hua"] == "royalty:designer"
    assert rules[licensor.party_key] == "royalty:ip_licence"
    assert "designer:li-hua" not in {p for p, _, _ in ledger.order_line_nets(order_ref="order-1")["line-b"]}
    assert ledger.transactions_unbalanced() == []
    # the royalty parties have payable accounts: finance sees what they are owed
    owed = ledger.party_owed(currency="CNY")
    assert (owed["designer:li-hua"], owed[licensor.party_key]) == (360, 216)


def test_royalties_follow_the_terms_in_force_at_payment_not_at_posting(units, deliver):
    listing = make_listing(units[0])
    set_royalty(listing, "old", 800, PAID - timedelta(days=60))
    # changed after the payment: the sale keeps the old terms
    set_royalty(listing, "new", 100, PAID + timedelta(minutes=1))
    listing.licence = licence_of(  # ended the day before the payment
        unit_with_agreement(3), royalty_bps=300, valid_from=date(2026, 1, 1), valid_until=date(2026, 11, 26)
    )
    listing.save(update_fields=["licence"])
    order = paid_order_of(units, listing)

    event = deliver("order_fully_paid", order.payload())

    assert event.status == WebhookEvent.Status.DONE, event.last_error
    royalties = SplitLine.objects.filter(line_ref="line-a", rule__startswith="royalty:")
    assert list(royalties.values_list("party", "bps")) == [("designer:old", 800)]


def test_a_partial_refund_reverses_the_royalty_parties_too(units, deliver):
    listing = make_listing(units[0])
    set_royalty(listing, "li-hua", 500, PAID - timedelta(days=1))
    order = paid_order_of(units, listing)
    deliver("order_fully_paid", order.payload())
    order.refunds.append(("refund-1", order.total, "2026-11-27T11:00:00+00:00"))

    event = deliver("order_fully_refunded", order.payload(issued_at="2026-11-27T11:00:02+00:00"))

    assert event.status == WebhookEvent.Status.DONE, event.last_error
    assert set(line_a_shares().values()) == {0}
    assert ledger.party_owed(currency="CNY").get("designer:li-hua", 0) == 0


def test_royalties_above_the_whole_line_park_the_payment_with_the_reason(units, deliver):
    listing = make_listing(units[0])
    set_royalty(listing, "greedy", 9000, PAID - timedelta(days=1))
    listing.licence = licence_of(
        unit_with_agreement(3), royalty_bps=2000, valid_from=date(2026, 1, 1), valid_until=date(2026, 12, 31)
    )
    listing.save(update_fields=["licence"])
    order = paid_order_of(units, listing)

    event = deliver("order_fully_paid", order.payload())

    assert event.status == WebhookEvent.Status.PARKED
    assert "royalties_exceed_line" in event.last_error
    assert not SplitLine.objects.exists()


def test_a_designer_without_payout_details_is_proposed_but_held_from_bank_execution(units, deliver, settings):
    settings.SETTLEMENT_RETURN_WINDOW_DAYS = 0
    listing = make_listing(units[0])
    DesignerFactory(unit=listing.unit, slug="li-hua", bank_name="")
    set_royalty(listing, "li-hua", 500, PAID - timedelta(days=1))
    order = paid_order_of(units, listing)
    deliver("order_fully_paid", order.payload())
    maker, checker = UserFactory(), UserFactory()

    batches = settlement.settlement_run(
        period_start=date(2026, 11, 1),
        period_end=date(2026, 12, 1),
        actor=maker,
        currency="CNY",
        now=datetime.fromisoformat("2026-12-02T00:00:00+00:00"),
    )

    assert "designer:li-hua" in settlement_selectors.payable_parties(currency="CNY")
    batch = next(b for b in batches if b.party == "designer:li-hua")
    assert (batch.amount, batch.method) == (360, "bank")
    settlement.settlement_approve(batch_id=batch.pk, actor=maker)
    with (
        translation.override("en"),
        pytest.raises(SettlementError, match="designer:li-hua had no bank account on record") as refused,
    ):
        settlement.settlement_execute(batch_id=batch.pk, actor=checker)
    assert refused.value.code == SettlementErrorCode.NO_PAYEE_DETAILS
    batch.refresh_from_db()
    assert (batch.status, batch.ledger_transaction_id) == ("approved", None)  # held, nothing posted
    assert ledger.party_owed(currency="CNY")["designer:li-hua"] == 360


def test_royalty_terms_never_start_in_the_past_nor_before_the_terms_already_set(units):
    listing = make_listing(units[0])
    set_royalty(listing, "a", 500, PAID)

    with pytest.raises(CatalogError) as before_current:
        set_royalty(listing, "b", 400, PAID - timedelta(days=1))
    with pytest.raises(CatalogError) as in_past:
        provenance.designer_royalty_set(
            listing=listing,
            designer=Designer.objects.get(slug="a"),
            bps=300,
            effective_from=PAID + timedelta(hours=1),
            now=PAID + timedelta(hours=2),
        )

    assert before_current.value.code == CatalogErrorCode.ROYALTY_BEFORE_CURRENT
    assert in_past.value.code == CatalogErrorCode.ROYALTY_IN_PAST
    terms = listing.designer_royalties.values_list("designer_id", "bps", "effective_to")
    assert list(terms) == [("a", 500, None)]


def test_a_royalty_names_a_designer_of_the_products_unit(units):
    listing = make_listing(units[0])
    stranger = DesignerFactory(unit=units[1], slug="of-another-unit")

    with pytest.raises(CatalogError) as refused:
        provenance.designer_royalty_set(
            listing=listing, designer=stranger, bps=500, effective_from=PAID + timedelta(days=1), now=PAID
        )

    assert refused.value.code == CatalogErrorCode.ROYALTY_DESIGNER_OF_OTHER_UNIT
    assert not listing.designer_royalties.exists()
