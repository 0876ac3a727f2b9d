"""The designer's statement after a sale of the winning product: a call is awarded (3,000.50 yuan, 6.5%
royalty), the winning design's listing is sold through Saleor's signed ORDER_FULLY_PAID delivery (the inbox,
as the webhook view stores it), the next settlement batch pays the designer the award and the royalty
together, and the designer's statement reads both, in yuan and Beijing dates. Figures by hand."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from payments.models import SettlementBatch, SplitLine
from payments.settlement import services as settlement
from resources import calls
from resources.models import Proposal
from saleor_app.models import WebhookEvent
from tests.catalog import image_factories as make
from tests.orders.conftest import deliver, unit_with_agreement  # noqa: F401 (deliver is a fixture)
from tests.orders.payloads import Line, SaleorOrder
from tests.resources.helpers import (
    AWARD,
    bowl_call,
    januarys_batches,
    library_object,
    payable,
    shanshui_studio,
)
from tests.unit_onboarding.factories import UserFactory, operator_of

pytestmark = pytest.mark.django_db
PRICE, QUANTITY = 12_800, 3  # 128.00 yuan each
# by hand: the line's net 384.00 yuan; 6.5% of it = 24.96 yuan to the designer, carved before the agreement
ROYALTY = 2_496
PAID_AT = "2027-01-19T18:30:00+00:00"  # 19 January in UTC, 20 January 02:30 in Beijing


@pytest.fixture
def sold(time_machine, deliver):  # noqa: F811 (the imported fixture)
    """The call awarded on 11 January (Beijing), the winning product sold on 20 January (Beijing)."""
    time_machine.move_to(datetime(2026, 12, 15, 4, tzinfo=UTC), tick=False)
    museum = unit_with_agreement(1)
    operator, finance = operator_of(museum), operator_of(museum, role="finance")
    bowl = library_object(museum, "M-003", title_zh="青花缠枝莲纹碗", category="ceramics")
    studio, registration = shanshui_studio(museum)
    call = bowl_call(museum, operator, bowl)
    jpeg = make.encoded(make.quadrants(640, 480), "JPEG")
    proposal = calls.proposal_submit(
        call=call,
        user=studio,
        title="青花书签",
        description="纹样取自碗心",
        uploads=[SimpleUploadedFile("d.jpg", jpeg, content_type="image/jpeg")],
    )
    time_machine.move_to(datetime(2027, 1, 11, 2, tzinfo=UTC), tick=False)
    selection = calls.selection_propose(proposal=proposal, actor=operator)
    calls.selection_confirm(selection_id=selection.pk, actor=finance)
    listing = Proposal.objects.get(pk=proposal.pk).listing

    time_machine.move_to(datetime.fromisoformat(PAID_AT), tick=False)
    order = SaleorOrder(
        "order-2027-88",
        [Line("line-bookmark", museum.saleor_warehouse_id, PRICE, QUANTITY, listing=listing.pk)],
        updated_at=PAID_AT,
    ).paid(at=PAID_AT)
    payload = order.payload(issued_at="2027-01-19T18:30:05+00:00")
    payload["order"]["created"] = "2027-01-19T18:25:00+00:00"
    event = deliver("order_fully_paid", payload)
    assert event.status == WebhookEvent.Status.DONE, event.last_error
    return museum, registration, studio, call, listing, time_machine


def test_the_winning_products_sale_pays_the_designer_the_announced_royalty(sold):
    _museum, registration, _studio, _call, listing, _tm = sold

    royalty = SplitLine.objects.get(line_ref="line-bookmark", party=registration.party_key)

    assert (royalty.rule, royalty.bps, royalty.amount) == ("royalty:designer", 650, ROYALTY)
    assert PRICE * QUANTITY * 650 // 10_000 == ROYALTY == 2_496  # 38,400 fen * 6.5%, exact
    assert listing.designer_royalties.get().designer == registration
    assert payable(registration.party_key) == AWARD + ROYALTY == 302_546


def test_the_designers_statement_shows_the_award_and_the_royalty_paid_in_one_batch(client, sold):
    museum, registration, studio, _call, _listing, time_machine = sold
    by_party, approver, executor = januarys_batches(time_machine)
    batch = by_party[registration.party_key]
    assert (batch.amount, batch.items.count()) == (AWARD + ROYALTY, 2)  # 3,000.50 + 24.96 = 3,025.46
    settlement.settlement_approve(batch_id=batch.pk, actor=approver)
    settlement.settlement_execute(batch_id=batch.pk, actor=executor)
    batch.refresh_from_db()
    assert batch.status == SettlementBatch.Status.EXECUTED and payable(registration.party_key) == 0
    client.force_login(studio)

    zh = client.get(reverse("resources:me_statement")).content.decode()
    en = client.get(reverse("resources:me_statement"), HTTP_ACCEPT_LANGUAGE="en").content.decode()

    january = zh[zh.index('id="month-2027-01"') :]
    february = zh[zh.index('id="month-2027-02"') : zh.index('id="month-2027-01"')]
    # the award: posted 02:00 UTC = 10:00 Beijing, named by its call
    assert "2027-01-11 10:00" in january and "青花碗文创设计征集" in january and "3000.50" in january
    # the royalty: paid 18:30 UTC on the 19th = 02:30 on the 20th in Beijing, referenced by its order
    assert "2027-01-20 02:30" in january and "2027-01-19" not in january
    assert ">24.96<" in january and "order-2027-88" in january
    assert "设计征集奖金" in january and "销售" in january
    # January owed 3,000.50 + 24.96 = 3,025.46; February paid out the same, net zero
    assert "<strong>3025.46</strong>" in january
    assert "-3025.46" in february and "2027-02-10 10:00" in february
    assert "Design call award" in en and "Sale (royalty or share)" in en and "Paid out" in en
    # another designer and the unit's operator read none of it
    for other in (UserFactory(), operator_of(museum)):
        client.force_login(other)
        page = client.get(reverse("resources:me_statement")).content.decode()
        assert "24.96" not in page and "3025.46" not in page and registration.party_key not in page
