"""A design call's award is paid through settlement: owed by the unit to the designer's party, proposed in the
next batches (the designer's pays it, the unit's is that much less), paid to the designer's account, and read
on the designer's royalty statement by Beijing month. Figures by hand."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db.models import Sum
from django.urls import reverse

from payments.models import LedgerEntry, SettlementBatch
from payments.settlement import services as settlement
from payments.settlement import statements
from resources import calls
from resources.models import DesignCall
from tests.auth import login_verified
from tests.catalog import image_factories as make
from tests.catalog.factories import active_unit
from tests.payments.settlement.conftest import pay
from tests.resources.helpers import bowl_call, januarys_batches, library_object, payable, shanshui_studio
from tests.unit_onboarding.factories import UserFactory, operator_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def awarded(time_machine):
    """Museum sells 5,000.00 yuan on 5 January (90% = 4,500.00 to it); its call awards 3,000.50 yuan on
    11 January (Beijing) to a designer registered with it for their account, with bank details."""
    time_machine.move_to(datetime(2026, 12, 15, 4, tzinfo=UTC), tick=False)
    museum = active_unit("三峡博物馆")
    operator, finance = operator_of(museum), operator_of(museum, role="finance")
    bowl = library_object(museum, "M-003")
    studio, registration = shanshui_studio(museum)
    call = bowl_call(museum, operator, bowl)
    proposal = calls.proposal_submit(
        call=call, user=studio, title="青花书签", description="d", uploads=[_jpeg()]
    )
    pay("order-jan", museum.party_key, 500_000, datetime(2027, 1, 5, 4, tzinfo=UTC))
    time_machine.move_to(datetime(2027, 1, 11, 2, tzinfo=UTC), tick=False)
    selection = calls.selection_propose(proposal=proposal, actor=operator)
    calls.selection_confirm(selection_id=selection.pk, actor=finance)
    return museum, registration, studio, time_machine


def _jpeg():
    return SimpleUploadedFile(
        "d.jpg", make.encoded(make.quadrants(640, 480), "JPEG"), content_type="image/jpeg"
    )


def test_the_award_is_paid_in_the_next_settlement_batch(client, awarded):
    museum, registration, _studio, time_machine = awarded
    assert payable(registration.party_key) == 300_050
    assert payable(museum.party_key) == 450_000 - 300_050 == 149_950

    by_party, approver, executor = januarys_batches(time_machine)

    designer_batch, unit_batch = by_party[registration.party_key], by_party[museum.party_key]
    assert (designer_batch.amount, designer_batch.items.count()) == (300_050, 1)
    assert (designer_batch.method, designer_batch.payee_bank_name) == ("bank", "中国建设银行重庆分行")
    assert (unit_batch.amount, unit_batch.items.count()) == (149_950, 2)  # 450,000 sale - 300,050 award
    settlement.settlement_approve(batch_id=designer_batch.pk, actor=approver)
    settlement.settlement_execute(batch_id=designer_batch.pk, actor=executor)
    designer_batch.refresh_from_db()
    assert designer_batch.status == SettlementBatch.Status.EXECUTED
    assert payable(registration.party_key) == 0
    bank = LedgerEntry.objects.filter(account__kind="bank_clearing").aggregate(s=Sum("amount"))["s"]
    assert bank == -300_050
    # platform finance reads the batch: the award's line, its reference the call
    login_verified(client, approver)
    page = client.get(reverse("finance:batch", args=[designer_batch.pk])).content.decode()
    assert "award" in page and f"call:{DesignCall.objects.get().uid}" in page and "3,000.50" in page
    # a second run proposes nothing twice
    again = settlement.settlement_run(
        period_start=date(2027, 1, 1), period_end=date(2027, 2, 1), actor=approver
    )
    assert {b.pk for b in again} == {b.pk for b in by_party.values()}


def test_the_designer_reads_the_award_and_the_payout_by_beijing_month(client, awarded):
    museum, registration, studio, time_machine = awarded
    by_party, approver, executor = januarys_batches(time_machine)
    batch = by_party[registration.party_key]
    settlement.settlement_approve(batch_id=batch.pk, actor=approver)
    settlement.settlement_execute(batch_id=batch.pk, actor=executor)
    client.force_login(studio)

    zh = client.get(reverse("resources:me_statement")).content.decode()
    en = client.get(reverse("resources:me_statement"), HTTP_ACCEPT_LANGUAGE="en").content.decode()

    assert zh.index('id="month-2027-02"') < zh.index('id="month-2027-01"')  # newest first
    january = zh[zh.index('id="month-2027-01"') :]
    assert "3000.50" in january and "2027-01-11 10:00" in january  # posted 02:00 UTC = 10:00 Beijing
    assert "青花碗文创设计征集" in january  # the award named by its call
    february = zh[zh.index('id="month-2027-02"') : zh.index('id="month-2027-01"')]
    assert "-3000.50" in february and "2027-02-10 10:00" in february
    assert "Design call award" in en and "Paid out" in en and registration.party_key in en
    assert "设计征集奖金" in january and "已付款" in february and "版税对账单" in zh
    # nobody else reads it: the unit's operator has no designer registration, another designer neither
    for other in (operator_of(museum), UserFactory()):
        client.force_login(other)
        page = client.get(reverse("resources:me_statement")).content.decode()
        assert "3000.50" not in page and registration.party_key not in page


def test_the_units_finance_reads_the_award_on_both_parties_statements(client, awarded):
    museum, registration, _studio, _time_machine = awarded
    finance = museum.memberships.get(role="finance").user
    login_verified(client, finance)

    pages = {
        party: client.get(
            reverse("finance:statement", args=[party]), {"start": "2027-01-01", "end": "2027-02-01"}
        )
        for party in (museum.party_key, registration.party_key)
    }

    assert {party: page.status_code for party, page in pages.items()} == {
        museum.party_key: 200,
        registration.party_key: 200,
    }
    designer_page, unit_page = (pages[p].content.decode() for p in (registration.party_key, museum.party_key))
    # opening 0 + sales 4,500.00 + awards -3,000.50 = closing 1,499.50 (the unit); awards 3,000.50 (designer)
    assert "设计征集奖金" in unit_page and "-3,000.50" in unit_page and "1,499.50" in unit_page
    assert "设计征集奖金" in designer_page and "3,000.50" in designer_page
    assert "该明细行尚无销售入账" not in unit_page + designer_page  # the award lines read as postings


def test_an_award_is_no_revenue_nor_share_of_sales_in_the_charts(awarded):
    museum, registration, _studio, _time_machine = awarded
    period = {
        "start": datetime(2027, 1, 1, tzinfo=UTC),
        "end": datetime(2027, 2, 1, tzinfo=UTC),
        "currency": "CNY",
    }

    revenue = statements.revenue_by_unit_month(**period)
    shares = statements.shares_by_party(**period)

    assert revenue == {museum.party_key: {"2027-01": 500_000}}  # the sale, whole
    assert shares[museum.party_key] == 450_000 and registration.party_key not in shares
