"""A design call in Debian's chromium: the unit's operator posts it (award in yuan, deadline in Beijing time),
two designers answer from the public call page with a picture, after the deadline the operator shortlists and
selects one, the unit's finance member confirms it with the second factor; the winner reads the outcome, the
credited draft product and the award on the royalty statement, the other designer (in English) reads that
theirs was not selected. Then the winning product sells (Saleor's ORDER_FULLY_PAID through the inbox), the
next settlement batch pays the designer the award and the royalty, and the journey ends on the designer's
statement reading both and the payout, in yuan and Beijing dates. Screenshots: tests/artifacts/resources/."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connections

from catalog.models import DesignerRoyalty
from payments.models import LedgerTransaction
from payments.settlement import services as settlement
from resources import calls, designers
from resources.models import DesignCall, Proposal
from tests.auth import browser_log_in, browser_second_factor
from tests.catalog import image_factories as make
from tests.catalog.factories import active_unit
from tests.orders.conftest import deliver  # noqa: F401 (a fixture)
from tests.orders.payloads import Line, SaleorOrder
from tests.resources.helpers import library_object
from tests.unit_onboarding.factories import (
    DesignerFactory,
    UserFactory,
    agreement_in_force,
    operator_of,
    platform_finance_user,
)
from unit_onboarding.agreements import ShareTerm

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
SHOTS = Path(__file__).resolve().parent.parent / "artifacts" / "resources"  # gitignored
PASSWORD = "correct horse battery staple"  # UserFactory's
START = datetime(2026, 12, 15, 4, tzinfo=UTC)  # 12:00 in Beijing


def studio(name: str, email: str):
    user = UserFactory(username=email, email=email)
    designers.profile_save(user=user, data={"display_name_zh": name, "kind": "studio"})
    return user


def test_a_call_is_answered_by_two_designers_and_awarded(
    live_server,
    browser,
    time_machine,
    tmp_path,
    deliver,  # noqa: F811 (the imported fixture)
):
    time_machine.move_to(START, tick=True)  # ticking: the browser's sessions run
    SHOTS.mkdir(parents=True, exist_ok=True)
    museum = active_unit("三峡博物馆")
    library_object(museum, "M-003", title_zh="青花缠枝莲纹碗", category="ceramics")
    operator, finance = operator_of(museum), operator_of(museum, role="finance")
    shanshui = studio("山水设计工作室", "studio@shanshui.example.cn")
    yunwen = studio("云纹工作室", "yun@example.cn")
    # the museum's agreement (90% to it, 10% to the platform); the studio claimed its registration with it
    agreement_in_force(
        museum,
        effective_from=datetime(2026, 1, 1, tzinfo=UTC),
        shares=[ShareTerm(museum.party_key, "unit", 9000), ShareTerm("platform", "platform", 1000)],
    )
    registration = DesignerFactory(unit=museum, slug="shanshui", account=shanshui)
    picture = tmp_path / "design.jpg"
    picture.write_bytes(make.encoded(make.quadrants(800, 600), "JPEG", quality=80))
    base, size = live_server.url, {"width": 1200, "height": 900}

    # the operator posts the call: 3,000.50 yuan, deadline 16 December 18:00 Beijing time
    unit_page = browser.new_context(locale="zh-CN", viewport=size).new_page()
    browser_log_in(unit_page, base, operator.email, PASSWORD)
    unit_page.goto(f"{base}/resources/units/{museum.uid}/calls/new/")
    unit_page.fill("[name=title_zh]", "青花碗文创设计征集")
    unit_page.fill("[name=title_en]", "Blue-and-white bowl design call")
    unit_page.check("[name=objects]")
    unit_page.select_option("[name=category]", "wenchuang-ceramics")
    unit_page.fill("[name=award_yuan]", "3000.50")
    unit_page.fill("[name=deadline]", "2026-12-16T18:00")
    unit_page.fill("[name=rules]", "原创；提交效果图。")
    unit_page.fill("[name=royalty_percent]", "6.5")
    unit_page.click("#call-form button[type=submit]")
    assert "3,000.50" in unit_page.locator("#call-award").inner_text()
    unit_page.screenshot(path=str(SHOTS / "call-01-posted.png"), full_page=True)
    call = DesignCall.objects.get()
    assert call.deadline == datetime(2026, 12, 16, 10, tzinfo=UTC)

    # two designers answer from the public page
    pages = {}
    for user, title, locale in ((shanshui, "青花书签", "zh-CN"), (yunwen, "云纹杯垫", "en-US")):
        page = browser.new_context(locale=locale, viewport=size).new_page()
        browser_log_in(page, base, user.email, PASSWORD)
        page.goto(f"{base}/library/calls/")
        page.click("text=青花碗文创设计征集")
        page.click(f"a[href='/resources/calls/{call.pk}/propose/']")
        page.fill("[name=title]", title)
        page.fill("[name=description]", "纹样取自碗心")
        page.set_input_files("[name=image_1]", str(picture))
        page.click("#proposal-form button[type=submit]")
        assert page.url.endswith("/resources/me/calls/"), page.url
        assert title in page.locator("#proposals").inner_text()
        pages[user] = page
    pages[shanshui].screenshot(path=str(SHOTS / "call-02-proposal-sent.png"), full_page=True)

    # after the deadline the operator shortlists and selects; the unit's finance member confirms
    time_machine.move_to(datetime(2026, 12, 16, 11, tzinfo=UTC), tick=True)
    winning = Proposal.objects.get(designer=shanshui)
    unit_page.reload()
    unit_page.click(f"#proposal-{winning.pk} button:has-text('入围')")
    assert "已入围" in unit_page.locator(f"#proposal-{winning.pk}").inner_text()
    unit_page.click(f"#proposal-{winning.pk} button:has-text('选为获奖作品')")
    assert "等待本单位财务确认" in unit_page.locator("#pending-selection").inner_text()
    assert unit_page.locator("#confirm-form").count() == 0  # the operator cannot confirm
    unit_page.screenshot(path=str(SHOTS / "call-03-selected.png"), full_page=True)

    finance_page = browser.new_context(locale="zh-CN", viewport=size).new_page()
    browser_log_in(finance_page, base, finance.email, PASSWORD)
    finance_page.goto(f"{base}/resources/units/{museum.uid}/calls/{call.pk}/")
    browser_second_factor(finance_page, finance)
    finance_page.click("#confirm-form button[type=submit]")
    assert "已评奖" in finance_page.locator("#call-status").inner_text()
    assert "商品草稿" in finance_page.locator(f"#proposal-{winning.pk}").inner_text()
    finance_page.screenshot(path=str(SHOTS / "call-04-confirmed.png"), full_page=True)

    # the designers read the outcomes; the winner the product and the award on the statement
    winner = pages[shanshui]
    winner.reload()
    assert "获选" in winner.locator(f"#proposal-{winning.pk}").inner_text()
    assert "青花书签" in winner.locator("#products").inner_text()
    winner.goto(f"{base}/resources/me/statement/")
    assert "3000.50" in winner.locator("#month-2026-12").inner_text()
    assert "设计征集奖金" in winner.locator("#month-2026-12").inner_text()
    winner.screenshot(path=str(SHOTS / "call-05-statement.png"), full_page=True)
    other = pages[yunwen]
    other.reload()
    assert "Not selected" in other.locator("#proposals").inner_text()
    assert "青花书签" not in other.content()
    other.screenshot(path=str(SHOTS / "call-06-not-selected-en.png"), full_page=True)
    connections.close_all()
    winning.refresh_from_db()
    royalty = DesignerRoyalty.objects.get(listing=winning.listing)
    assert (royalty.bps, royalty.designer.account, winning.listing.state) == (650, shanshui, "draft")
    assert LedgerTransaction.objects.filter(kind="award", order_ref=f"call:{call.uid}").count() == 1

    # the winning product sells on 20 December, 14:30 in Beijing: 3 x 128.00 yuan, paid through Saleor
    time_machine.move_to(datetime(2026, 12, 20, 6, 30, tzinfo=UTC), tick=True)
    paid_at = "2026-12-20T06:30:00+00:00"
    order = SaleorOrder(
        "order-2026-77",
        [Line("line-bookmark", museum.saleor_warehouse_id, 12_800, 3, listing=winning.listing.pk)],
        updated_at=paid_at,
    ).paid(at=paid_at)
    event = deliver("order_fully_paid", order.payload(issued_at="2026-12-20T06:30:02+00:00"))
    assert event.status == "done", event.last_error
    # December's batch, proposed, approved and executed by platform finance on 10 January
    time_machine.move_to(datetime(2027, 1, 10, 2, tzinfo=UTC), tick=True)
    approver, executor = platform_finance_user(), platform_finance_user()
    batches = settlement.settlement_run(
        period_start=date(2026, 12, 1), period_end=date(2027, 1, 1), actor=approver
    )
    batch = next(b for b in batches if b.party == registration.party_key)
    # by hand: award 3,000.50 + 6.5% of 384.00 = 24.96 -> 3,025.46 yuan
    assert (batch.amount, batch.items.count()) == (300_050 + 2_496, 2)
    settlement.settlement_approve(batch_id=batch.pk, actor=approver)
    settlement.settlement_execute(batch_id=batch.pk, actor=executor)

    # the journey ends on the designer's statement (a new session: the old one expired with the weeks)
    final = browser.new_context(locale="zh-CN", viewport=size).new_page()
    browser_log_in(final, base, shanshui.email, PASSWORD)
    final.goto(f"{base}/resources/me/statement/")
    december = final.locator("#month-2026-12").inner_text()
    assert "3000.50" in december and "青花碗文创设计征集" in december and "设计征集奖金" in december
    assert "24.96" in december and "2026-12-20 14:30" in december and "order-2026-77" in december
    assert "3025.46" in december  # owed in December
    january = final.locator("#month-2027-01").inner_text()
    assert "-3025.46" in january and "2027-01-10 10:00" in january and "已付款" in january
    final.screenshot(path=str(SHOTS / "call-07-statement-after-sale.png"), full_page=True)


def test_a_designer_withdraws_a_proposal_then_the_unit_withdraws_the_call(
    live_server, browser, time_machine, mailoutbox
):
    time_machine.move_to(START, tick=True)
    SHOTS.mkdir(parents=True, exist_ok=True)
    museum = active_unit("三峡博物馆")
    bowl = library_object(museum, "M-003", title_zh="青花缠枝莲纹碗", category="ceramics")
    operator = operator_of(museum)
    shanshui = studio("山水设计工作室", "studio@shanshui.example.cn")
    yunwen = studio("云纹工作室", "yun@example.cn")
    call = calls.call_post(
        unit=museum,
        actor=operator,
        data={
            "title_zh": "青花碗文创设计征集",
            "category": "wenchuang-ceramics",
            "award_fen": 300_050,
            "deadline": datetime(2026, 12, 16, 10, tzinfo=UTC),
            "rules": "原创",
            "royalty_bps": 650,
        },
        objects=[bowl],
    )
    jpeg = make.encoded(make.quadrants(640, 480), "JPEG", quality=80)
    kept, left = (
        calls.proposal_submit(
            call=call,
            user=user,
            title=title,
            description="纹样取自碗心",
            uploads=[SimpleUploadedFile("d.jpg", jpeg, content_type="image/jpeg")],
            language=language,
        )
        for user, title, language in ((shanshui, "青花书签", "zh-hans"), (yunwen, "云纹杯垫", "en"))
    )
    base, size = live_server.url, {"width": 1200, "height": 900}

    # the designer reading English withdraws their proposal before the decision
    page = browser.new_context(locale="en-US", viewport=size).new_page()
    browser_log_in(page, base, yunwen.email, PASSWORD)
    page.goto(f"{base}/resources/me/proposals/{left.pk}/")
    page.click("#withdraw-proposal-form button[type=submit]")
    assert "Proposal withdrawn." in page.locator(".messages").inner_text()
    assert page.locator("#proposal-status").inner_text() == "Withdrawn"
    assert page.locator("#withdraw-proposal-form").count() == 0
    page.screenshot(path=str(SHOTS / "withdraw-01-proposal-en.png"), full_page=True)

    # the operator withdraws the call with a reason; the withdrawn proposal shows without its picture
    unit_page = browser.new_context(locale="zh-CN", viewport=size).new_page()
    browser_log_in(unit_page, base, operator.email, PASSWORD)
    unit_page.goto(f"{base}/resources/units/{museum.uid}/calls/{call.pk}/")
    assert unit_page.locator(f"#proposal-{left.pk} img").count() == 0
    unit_page.fill("#id_withdraw_reason", "馆藏文物外借，暂停征集")
    unit_page.click("#withdraw-call-form button[type=submit]")
    assert "征集已撤回" in unit_page.locator(".messages").inner_text()
    assert "已撤回" in unit_page.locator("#call-status").inner_text()
    assert "馆藏文物外借，暂停征集" in unit_page.locator("#call-withdrawn").inner_text()
    unit_page.screenshot(path=str(SHOTS / "withdraw-02-call.png"), full_page=True)

    # the designer still in reads it by mail and on their page; the one who left is not mailed
    assert [m.to for m in mailoutbox] == [[shanshui.email]]
    assert "馆藏文物外借，暂停征集" in mailoutbox[0].body
    winner = browser.new_context(locale="zh-CN", viewport=size).new_page()
    browser_log_in(winner, base, shanshui.email, PASSWORD)
    winner.goto(f"{base}/resources/me/calls/")
    assert "本次征集已被单位撤回。" in winner.locator(f"#proposal-{kept.pk}").inner_text()
    winner.screenshot(path=str(SHOTS / "withdraw-03-designer.png"), full_page=True)
    connections.close_all()
    assert DesignCall.objects.get().status == "withdrawn"
