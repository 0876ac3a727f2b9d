"""Design calls (征集): a unit's operator posts a call on published objects; designers send proposals
before the deadline; an operator shortlists and selects, a finance member of the unit (another person)
confirms; the award is then owed to the designer through the ledger and the winning design is a draft
listing credited to them with the announced royalty. Every step audited; each side sees only its own."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError, transaction
from django.urls import reverse

from catalog.models import DesignerRoyalty, Listing
from payments.models import FinanceAuditEvent, LedgerEntry, LedgerTransaction, SplitLine
from resources import calls
from resources.error_codes import ResourcesError
from resources.error_codes import ResourcesErrorCode as Code
from resources.models import AwardSelection, DesignCall, Proposal
from tests.auth import login_verified
from tests.catalog import image_factories as make
from tests.catalog.factories import active_unit
from tests.resources.helpers import DEADLINE, bowl_call, designer, library_object
from tests.unit_onboarding.factories import UserFactory, operator_of
from unit_onboarding.models import Designer, UnitMembership

pytestmark = pytest.mark.django_db
AFTER = datetime(2027, 1, 11, 2, tzinfo=UTC)


@pytest.fixture
def bowl(museum):
    return library_object(museum, "M-003", title_zh="青花缠枝莲纹碗", category="ceramics")


def picture(seed: int = 0) -> SimpleUploadedFile:
    data = make.encoded(make.quadrants(640 + seed, 480), "JPEG", quality=80)
    return SimpleUploadedFile(f"design{seed}.jpg", data, content_type="image/jpeg")


def call_form(obj, **overrides) -> dict:
    data = {
        "title_zh": "青花碗文创设计征集",
        "title_en": "Blue-and-white bowl design call",
        "objects": [str(obj.pk)],
        "category": "wenchuang-ceramics",
        "award_yuan": "3000.50",
        "deadline": "2027-01-10T18:00",
        "rules": "原创；提交效果图。",
        "royalty_percent": "6.5",
    }
    data.update(overrides)
    return data


def posted_call(museum, people, bowl) -> DesignCall:
    return bowl_call(museum, people["operator"], bowl, title_en="Blue-and-white bowl design call")


def propose(call, user, title="青花书签") -> Proposal:
    return calls.proposal_submit(
        call=call, user=user, title=title, description="纹样取自碗心", uploads=[picture()]
    )


def test_an_operator_posts_a_call_in_yuan_and_beijing_time_and_the_public_reads_it(
    client, clock_at, museum, people, bowl
):
    client.force_login(people["operator"])

    sent = client.post(reverse("resources:call_new", args=[museum.uid]), call_form(bowl))

    call = DesignCall.objects.get()
    assert sent.status_code == 302 and sent["Location"] == reverse(
        "resources:call", args=[museum.uid, call.pk]
    )
    assert (call.award_fen, call.royalty_bps, call.deadline) == (300_050, 650, DEADLINE)
    assert list(call.objects_called.all()) == [bowl]
    event = FinanceAuditEvent.objects.get(action="design_call.posted")
    assert (event.detail["award_fen"], event.detail["royalty_bps"]) == (300_050, 650)
    page = client.get(reverse("resources:call", args=[museum.uid, call.pk])).content.decode()
    assert "3,000.50" in page and "2027-01-10 18:00" in page  # shown as typed: yuan, Beijing time
    client.logout()
    zh = client.get("/library/calls/").content.decode()
    en = client.get("/en/library/calls/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "青花碗文创设计征集" in zh and "2027-01-10 18:00" in zh and "3,000.50" in zh and "奖金（元）" in zh
    assert "Blue-and-white bowl design call" in en and "Design calls" in en
    assert "原创" in client.get(f"/library/calls/{call.pk}/").content.decode()


@pytest.mark.parametrize(
    ("overrides", "words"),
    [
        ({"deadline": "2026-12-01T10:00"}, "The deadline must be in the future"),
        ({"award_yuan": "0"}, "positive"),
        ({"award_yuan": "12.345"}, "at most two decimals"),
        ({"royalty_percent": "101"}, "between 0% and 100%"),
        ({"objects": []}, "Choose at least one"),
    ],
)
def test_bad_terms_are_refused_with_a_message(client, clock_at, museum, people, bowl, overrides, words):
    client.force_login(people["operator"])

    page = client.post(
        reverse("resources:call_new", args=[museum.uid]),
        call_form(bowl, **overrides),
        HTTP_ACCEPT_LANGUAGE="en",
    )

    assert page.status_code == 400 and not DesignCall.objects.exists()
    assert words in page.content.decode()


def test_an_unpublished_or_other_units_object_cannot_be_called(clock_at, museum, people, bowl):
    hidden = library_object(museum, "M-009", publish=False)
    other = library_object(active_unit("重庆图书馆"), "B-001")
    for obj in (hidden, other):
        with pytest.raises(ResourcesError) as refused:
            calls.call_post(
                unit=museum,
                actor=people["operator"],
                data={**posted_call_data(), "deadline": DEADLINE},
                objects=[bowl, obj],
            )
        assert refused.value.code == Code.CALL_OBJECTS_REQUIRED


def posted_call_data() -> dict:
    return {
        "title_zh": "征集",
        "category": "wenchuang-ceramics",
        "award_fen": 100,
        "deadline": DEADLINE,
        "rules": "r",
        "royalty_bps": 0,
    }


def test_designers_send_one_proposal_each_before_the_deadline(client, clock_at, museum, people, bowl):
    call = posted_call(museum, people, bowl)
    studio = designer("山水设计工作室", "studio@shanshui.example.cn")
    client.force_login(studio)

    sent = client.post(
        reverse("resources:proposal_new", args=[call.pk]),
        {"title": "青花书签", "description": "纹样取自碗心", "image_1": picture()},
    )

    assert sent.status_code == 302 and sent["Location"] == reverse("resources:me_calls")
    proposal = Proposal.objects.get()
    assert (proposal.designer, proposal.images.count(), proposal.status) == (studio, 1, "submitted")
    assert FinanceAuditEvent.objects.filter(
        action="proposal.submitted", subject=f"proposal:{proposal.pk}"
    ).exists()
    again = client.post(
        reverse("resources:proposal_new", args=[call.pk]),
        {"title": "又一个", "description": "x", "image_1": picture(1)},
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert again.status_code == 400 and "already sent a proposal" in again.content.decode()
    refused = client.post(
        reverse("resources:proposal_new", args=[call.pk]),
        {"title": "坏图", "description": "x", "image_1": SimpleUploadedFile("x.jpg", b"<?php 1; ?>")},
    )
    assert refused.status_code == 400 and Proposal.objects.count() == 1

    clock_at.move_to(AFTER, tick=False)
    late = designer("晚到", "late@example.cn")
    with pytest.raises(ResourcesError) as closed:
        propose(call, late)
    assert closed.value.code == Code.CALL_CLOSED
    client.force_login(late)
    assert client.get(reverse("resources:proposal_new", args=[call.pk])).status_code == 409
    assert client.get("/library/calls/").content.decode().count("青花碗文创设计征集") == 0  # no longer open


def test_without_a_designer_profile_one_is_asked_for_first(client, clock_at, museum, people, bowl):
    call = posted_call(museum, people, bowl)
    client.force_login(UserFactory())

    page = client.get(reverse("resources:proposal_new", args=[call.pk]))

    assert page.status_code == 302 and page["Location"].startswith(reverse("resources:me_profile"))


def test_the_winner_needs_a_second_person_of_the_units_finance(clock_at, museum, people, bowl):
    call = posted_call(museum, people, bowl)
    first = propose(call, designer("山水设计工作室", "studio@shanshui.example.cn"))
    propose(call, designer("云纹工作室", "yun@example.cn"), title="云纹杯垫")
    calls.proposal_shortlist(proposal=first, actor=people["operator"])
    with pytest.raises(ResourcesError) as early:
        calls.selection_propose(proposal=first, actor=people["operator"])
    assert early.value.code == Code.CALL_NOT_CLOSED

    clock_at.move_to(AFTER, tick=False)
    both = UserFactory()  # an operator who is also a finance member of the unit
    UnitMembership.objects.create(user=both, unit=museum, role="operator")
    UnitMembership.objects.create(user=both, unit=museum, role="finance")
    selection = calls.selection_propose(proposal=first, actor=both)
    with pytest.raises(PermissionError):  # an operator without the finance role
        calls.selection_confirm(selection_id=selection.pk, actor=people["operator"])
    with pytest.raises(ResourcesError) as same:
        calls.selection_confirm(selection_id=selection.pk, actor=both)
    assert same.value.code == Code.SELECTION_SAME_PERSON
    with pytest.raises(PermissionError):  # another unit's finance member
        calls.selection_confirm(
            selection_id=selection.pk, actor=operator_of(active_unit("别馆"), role="finance")
        )
    with transaction.atomic(), pytest.raises(IntegrityError, match="award_selection_four_eyes"):
        AwardSelection.objects.filter(pk=selection.pk).update(
            status="confirmed", decided_by=both, decided_at=AFTER
        )
    assert not LedgerTransaction.objects.exists() and not Listing.objects.exists()


def test_a_selection_on_terms_changed_since_is_refused_as_stale(clock_at, museum, people, bowl):
    call = posted_call(museum, people, bowl)
    proposal = propose(call, designer("山水设计工作室", "studio@shanshui.example.cn"))
    clock_at.move_to(AFTER, tick=False)
    selection = calls.selection_propose(proposal=proposal, actor=people["operator"])
    calls.call_update(
        call=call,
        actor=people["operator"],
        data={**posted_call_data(), "award_fen": 500_000, "deadline": datetime(2027, 2, 1, tzinfo=UTC)},
        objects=[bowl],
    )

    with pytest.raises(ResourcesError) as stale:
        calls.selection_confirm(selection_id=selection.pk, actor=people["finance"])

    assert stale.value.code == Code.SELECTION_STALE
    assert not LedgerTransaction.objects.exists()
    changed = FinanceAuditEvent.objects.get(action="design_call.changed")
    assert (changed.detail["before"]["award_fen"], changed.detail["after"]["award_fen"]) == (300_050, 500_000)
    rejected = calls.selection_reject(selection_id=selection.pk, actor=people["finance"], reason="条款已改")
    assert rejected.status == "rejected" and rejected.decided_by == people["finance"]


def test_confirming_owes_the_award_and_drafts_the_credited_listing_with_the_royalty(
    client, clock_at, museum, people, bowl
):
    call = posted_call(museum, people, bowl)
    studio = designer("山水设计工作室", "studio@shanshui.example.cn")
    loser = designer("云纹工作室", "yun@example.cn")
    winning, losing = propose(call, studio), propose(call, loser, title="云纹杯垫")
    clock_at.move_to(AFTER, tick=False)
    client.force_login(people["operator"])
    client.post(reverse("resources:call_select", args=[museum.uid, call.pk]), {"proposal": winning.pk})
    selection = AwardSelection.objects.get()
    login_verified(client, people["finance"])  # a finance member signs in with the second factor

    done = client.post(
        reverse("resources:call_decide", args=[museum.uid, call.pk]),
        {"selection": selection.pk, "decision": "confirm"},
    )

    assert done.status_code == 302
    selection.refresh_from_db()
    winning.refresh_from_db()
    losing.refresh_from_db()
    call.refresh_from_db()
    assert (selection.status, selection.decided_by, call.status) == (
        "confirmed",
        people["finance"],
        "awarded",
    )
    assert (winning.status, losing.status) == ("won", "not_selected")
    # the winner is registered with the unit for their own account (no payout details until confirmed)
    registration = Designer.objects.get(unit=museum, account=studio)
    listing = winning.listing
    assert (listing.state, listing.unit, listing.designer, listing.collection_object) == (
        "draft",
        museum,
        "山水设计工作室",
        bowl,
    )
    assert (listing.name_zh, listing.category, listing.images.count()) == (
        "青花书签",
        "wenchuang-ceramics",
        1,
    )
    royalty = DesignerRoyalty.objects.get(listing=listing)
    assert (royalty.designer, royalty.bps, royalty.effective_to) == (registration, 650, None)
    txn = LedgerTransaction.objects.get(kind="award")
    assert txn.pk == selection.ledger_transaction_id and txn.order_ref == f"call:{call.uid}"
    confirmed = FinanceAuditEvent.objects.get(action="design_call.selection_confirmed")
    assert confirmed.actor == people["finance"]
    assert confirmed.detail["after"]["party"] == registration.party_key
    assert confirmed.detail["proposed_by"] == people["operator"].pk
    # twice: nothing more
    again = client.post(
        reverse("resources:call_decide", args=[museum.uid, call.pk]),
        {"selection": selection.pk, "decision": "confirm"},
    )
    assert again.status_code == 302 and LedgerTransaction.objects.filter(kind="award").count() == 1
    # the designers read their outcomes; the winner the credited product
    client.force_login(studio)
    mine = client.get(reverse("resources:me_calls")).content.decode()
    assert "青花书签" in mine and "3,000.50" in mine and "云纹杯垫" not in mine
    client.force_login(loser)
    theirs = client.get(reverse("resources:me_calls"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "云纹杯垫" in theirs and "Not selected" in theirs and "青花书签" not in theirs


def test_the_award_ledger_balances_by_hand(clock_at, museum, people, bowl):
    """Award 3,000.50 yuan = 300,050 fen: Dr unit payable 300,050, Cr designer payable 300,050."""
    call = posted_call(museum, people, bowl)
    proposal = propose(call, designer("山水设计工作室", "studio@shanshui.example.cn"))
    clock_at.move_to(AFTER, tick=False)
    selection = calls.selection_propose(proposal=proposal, actor=people["operator"])
    calls.selection_confirm(selection_id=selection.pk, actor=people["finance"])
    party = Designer.objects.get(account=proposal.designer).party_key

    entries = {
        (e.account.kind, e.account.party): e.amount
        for e in LedgerEntry.objects.filter(transaction__kind="award").select_related("account")
    }
    assert entries == {("party_payable", museum.party_key): 300_050, ("party_payable", party): -300_050}
    lines = {
        (s.party, s.role): (s.amount, s.fee) for s in SplitLine.objects.filter(order_ref=f"call:{call.uid}")
    }
    assert lines == {(party, "award"): (300_050, 0), (museum.party_key, "award_funding"): (-300_050, 0)}


def test_the_finance_member_rejects_only_with_a_reason_and_the_operator_selects_again(
    client, clock_at, museum, people, bowl
):
    call = posted_call(museum, people, bowl)
    first = propose(call, designer("山水设计工作室", "studio@shanshui.example.cn"))
    second = propose(call, designer("云纹工作室", "yun@example.cn"), title="云纹杯垫")
    clock_at.move_to(AFTER, tick=False)
    selection = calls.selection_propose(proposal=first, actor=people["operator"])
    login_verified(client, people["finance"])
    url = reverse("resources:call_decide", args=[museum.uid, call.pk])

    bare = client.post(url, {"selection": selection.pk, "decision": "reject", "reason": " "}, follow=True)

    assert "请填写驳回该评选结果的理由" in bare.content.decode()
    assert AwardSelection.objects.get(pk=selection.pk).status == "pending"
    client.post(url, {"selection": selection.pk, "decision": "reject", "reason": "版权存疑"})
    assert AwardSelection.objects.get(pk=selection.pk).status == "rejected"
    rejected = FinanceAuditEvent.objects.get(action="design_call.selection_rejected")
    assert (rejected.actor, rejected.detail["reason"]) == (people["finance"], "版权存疑")
    again = calls.selection_propose(proposal=second, actor=people["operator"])
    assert again.status == "pending" and not LedgerTransaction.objects.exists()


def test_finance_is_asked_to_confirm_and_every_designer_is_told_the_outcome(
    clock_at, museum, people, bowl, mailoutbox, committed
):
    call = posted_call(museum, people, bowl)
    studio = designer("山水设计工作室", "studio@shanshui.example.cn")
    loser = designer("云纹工作室", "yun@example.cn")
    winning = propose(call, studio)
    calls.proposal_submit(
        call=call, user=loser, title="云纹杯垫", description="d", uploads=[picture()], language="en"
    )
    clock_at.move_to(AFTER, tick=False)

    with committed(execute=True):
        selection = calls.selection_propose(proposal=winning, actor=people["operator"])

    assert [m.to for m in mailoutbox] == [[people["finance"].email.lower()]]
    assert "青花书签" in mailoutbox[0].body and "3,000.50" in mailoutbox[0].body
    assert f"/resources/units/{museum.uid}/calls/{call.pk}/" in mailoutbox[0].body
    mailoutbox.clear()
    with committed(execute=True):
        calls.selection_confirm(selection_id=selection.pk, actor=people["finance"])

    by_recipient = {m.to[0]: m for m in mailoutbox}
    assert set(by_recipient) == {studio.email, loser.email}
    won, lost = by_recipient[studio.email], by_recipient[loser.email]
    assert won.subject == "您的投稿在设计征集“青花碗文创设计征集”中获奖"  # in the designer's language
    assert "青花书签" in won.body and "3,000.50" in won.body and "6.5%" in won.body
    assert "not selected" in lost.body and "云纹杯垫" in lost.body and "/resources/me/calls/" in lost.body
