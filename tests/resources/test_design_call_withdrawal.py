"""Withdrawing before the decision: a unit's operator withdraws (cancels) an open call with a reason (audited;
every designer with a live proposal is told by mail, in their language), a designer withdraws their own
proposal. Neither once the call is awarded, nor while a selected winner waits for the unit's finance; each
refusal says why and changes nothing. Only the call's own unit's operators and the proposal's own designer
may: everyone else gets a 404."""

from __future__ import annotations

import pytest
from django.urls import reverse

from payments.models import FinanceAuditEvent, LedgerTransaction
from resources import calls
from resources.error_codes import ResourcesError
from resources.error_codes import ResourcesErrorCode as Code
from resources.models import DesignCall, Proposal
from tests.auth import login_verified
from tests.catalog.factories import active_unit
from tests.resources.helpers import DEADLINE, NOW, designer, library_object
from tests.resources.test_design_calls import AFTER, picture, posted_call, propose
from tests.unit_onboarding.factories import UserFactory, operator_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def answered(clock_at, museum, people):
    """The open call answered by a studio (zh-Hans) and by a designer reading English."""
    call = posted_call(museum, people, library_object(museum, "M-003", category="ceramics"))
    studio = designer("山水设计工作室", "studio@shanshui.example.cn")
    yun = designer("云纹工作室", "yun@example.cn")
    first = propose(call, studio)
    second = calls.proposal_submit(
        call=call, user=yun, title="云纹杯垫", description="d", uploads=[picture(1)], language="en"
    )
    return call, studio, yun, first, second


def said(response) -> str:
    """The messages the page shows after the redirect."""
    page = response.content.decode()
    start = page.find('<ul class="messages">')
    return page[start : page.index("</ul>", start)] if start >= 0 else ""


def withdraw_call(client, museum, call, reason: str):
    url = reverse("resources:call_withdraw", args=[museum.uid, call.pk])
    return client.post(url, {"reason": reason}, follow=True)


def test_an_operator_withdraws_an_open_call_with_a_reason_and_the_designers_are_told(
    client, museum, people, answered, mailoutbox, committed
):
    call, studio, yun, first, second = answered
    client.force_login(people["operator"])

    with committed(execute=True):
        answer = withdraw_call(client, museum, call, "  馆藏文物外借，暂停征集  ")

    call.refresh_from_db()
    assert call.status == DesignCall.Status.WITHDRAWN
    assert (call.withdrawn_by, call.withdraw_reason) == (people["operator"], "馆藏文物外借，暂停征集")
    assert "征集已撤回：已投稿的设计者将收到邮件通知。" in said(answer)
    page = answer.content.decode()
    assert "已撤回" in page and "馆藏文物外借，暂停征集" in page and "2026-12-15 12:00" in page  # Beijing
    assert 'id="withdraw-call-form"' not in page and "call_select" not in page
    event = FinanceAuditEvent.objects.get(action="design_call.withdrawn")
    assert (event.actor, event.detail["reason"]) == (people["operator"], "馆藏文物外借，暂停征集")
    assert event.detail["before"] == {"status": "open"} and event.detail["after"] == {"status": "withdrawn"}
    assert sorted(event.detail["proposals"]) == sorted([first.pk, second.pk])
    by_recipient = {m.to[0]: m for m in mailoutbox}
    assert set(by_recipient) == {studio.email, yun.email}
    assert by_recipient[studio.email].subject == "设计征集“青花碗文创设计征集”已撤回"
    assert "馆藏文物外借，暂停征集" in by_recipient[studio.email].body
    assert "青花书签" in by_recipient[studio.email].body and "不支付奖金" in by_recipient[studio.email].body
    assert "has withdrawn" in by_recipient[yun.email].body and "云纹杯垫" in by_recipient[yun.email].body
    # gone from the public list; its page says so; nobody may answer it any more
    assert "青花碗文创设计征集" not in client.get(reverse("library:calls")).content.decode()
    assert "本次征集已被单位撤回。" in client.get(reverse("library:call", args=[call.pk])).content.decode()
    late = designer("后来者", "late@example.cn")
    with pytest.raises(ResourcesError) as refused:
        propose(call, late)
    assert refused.value.code == Code.CALL_WITHDRAWN
    # the designers read it on their own pages
    client.force_login(studio)
    mine = client.get(reverse("resources:me_proposal", args=[first.pk])).content.decode()
    assert (
        "本次征集已被单位撤回。" in mine and "馆藏文物外借" in mine and "withdraw-proposal-form" not in mine
    )


def test_withdrawing_a_call_needs_a_reason_and_an_open_call(client, clock_at, museum, people, answered):
    call, _studio, _yun, first, _second = answered
    client.force_login(people["operator"])

    blank = withdraw_call(client, museum, call, "   ")

    assert "请填写撤回征集的原因：已投稿的设计者会看到。" in said(blank)
    call.refresh_from_db()
    assert call.status == DesignCall.Status.OPEN and not call.withdraw_reason
    # a selected winner waits for finance: refused, the selection kept
    clock_at.move_to(AFTER, tick=False)
    selection = calls.selection_propose(proposal=first, actor=people["operator"])
    client.force_login(people["operator"])  # a new session: the old one expired with the weeks
    waiting = withdraw_call(client, museum, call, "改期")
    assert "已选出的获奖作品正在等待本单位财务确认：须先驳回该评选结果，才能撤回征集。" in said(waiting)
    call.refresh_from_db()
    assert call.status == DesignCall.Status.OPEN
    # once awarded: refused, the award stands
    calls.selection_confirm(selection_id=selection.pk, actor=people["finance"])
    after = withdraw_call(client, museum, call, "改期")
    assert "本次征集已评出获奖作品：未作任何更改。" in said(after)
    call.refresh_from_db()
    assert call.status == DesignCall.Status.AWARDED and not call.withdrawn_at
    assert LedgerTransaction.objects.filter(kind="award").count() == 1
    assert not FinanceAuditEvent.objects.filter(action="design_call.withdrawn").exists()
    # and a withdrawn call cannot be withdrawn twice, changed, or have a winner selected
    clock_at.move_to(NOW, tick=False)
    jar = library_object(museum, "M-004")
    other = posted_call(museum, people, jar)
    calls.call_withdraw(call=other, actor=people["operator"], reason="撤回")
    terms = {"title_zh": "x", "deadline": DEADLINE, "royalty_bps": 500}
    for attempt in (
        lambda: calls.call_withdraw(call=other, actor=people["operator"], reason="再撤回"),
        lambda: calls.call_update(call=other, actor=people["operator"], data=terms, objects=[jar]),
    ):
        with pytest.raises(ResourcesError) as refused:
            attempt()
        assert refused.value.code == Code.CALL_WITHDRAWN


def test_a_designer_withdraws_their_own_proposal_before_the_decision(client, museum, people, answered):
    call, studio, _yun, first, second = answered
    client.force_login(studio)
    page = client.get(reverse("resources:me_proposal", args=[first.pk])).content.decode()
    assert "withdraw-proposal-form" in page and "撤回我的投稿" in page

    answer = client.post(reverse("resources:me_proposal_withdraw", args=[first.pk]), follow=True)

    first.refresh_from_db()
    assert first.status == Proposal.Status.WITHDRAWN and first.withdrawn_at is not None
    assert "投稿已撤回。" in said(answer) and "已撤回" in answer.content.decode()
    event = FinanceAuditEvent.objects.get(action="proposal.withdrawn")
    assert (event.actor, event.subject, event.detail["before"]) == (
        studio,
        f"proposal:{first.pk}",
        "submitted",
    )
    again = client.post(reverse("resources:me_proposal_withdraw", args=[first.pk]), follow=True)
    assert "该投稿已被设计者撤回。" in said(again)
    # the unit sees it withdrawn, without its pictures, and can neither shortlist nor select it
    login_verified(client, people["operator"])
    unit_page = client.get(reverse("resources:call", args=[museum.uid, call.pk])).content.decode()
    row = unit_page[unit_page.index(f'id="proposal-{first.pk}"') :]
    row = row[: row.index("</tr>")]
    assert "已撤回" in row and "<img" not in row and "<form" not in row
    for attempt in (
        lambda: calls.proposal_shortlist(proposal=first, actor=people["operator"]),
        lambda: calls.selection_propose(proposal=first, actor=people["operator"]),
    ):
        with pytest.raises(ResourcesError) as refused:
            attempt()
        assert refused.value.code == Code.PROPOSAL_WITHDRAWN
    # the designer may answer the call again with a new proposal
    fresh = propose(call, studio, title="青花书签（修改版）")
    assert fresh.status == Proposal.Status.SUBMITTED and second.status == Proposal.Status.SUBMITTED


def test_a_proposal_cannot_be_withdrawn_once_selected_or_decided(client, clock_at, people, answered):
    _call, studio, yun, first, second = answered
    clock_at.move_to(AFTER, tick=False)
    selection = calls.selection_propose(proposal=first, actor=people["operator"])
    client.force_login(studio)
    assert (
        "withdraw-proposal-form"
        not in client.get(reverse("resources:me_proposal", args=[first.pk])).content.decode()
    )

    waiting = client.post(reverse("resources:me_proposal_withdraw", args=[first.pk]), follow=True)

    assert "您的投稿已被选为获奖作品，正在等待单位确认：不能再撤回。" in said(waiting)
    first.refresh_from_db()
    assert first.status == Proposal.Status.SUBMITTED
    # after the award: neither the winner nor the one not selected
    calls.selection_confirm(selection_id=selection.pk, actor=people["finance"])
    for user, proposal in ((studio, first), (yun, second)):
        client.force_login(user)
        answer = client.post(reverse("resources:me_proposal_withdraw", args=[proposal.pk]), follow=True)
        assert "本次征集已评出结果：评奖后不能再撤回投稿。" in said(
            answer
        ) or "The call has been decided: a proposal can no longer be withdrawn after the award." in said(
            answer
        )
    assert dict(Proposal.objects.values_list("pk", "status")) == {
        first.pk: "won",
        second.pk: "not_selected",
    }
    assert not FinanceAuditEvent.objects.filter(action="proposal.withdrawn").exists()


def test_a_withdrawn_proposal_stays_withdrawn_when_another_wins(
    clock_at, people, answered, mailoutbox, committed
):
    _call, studio, yun, first, second = answered
    calls.proposal_withdraw(proposal=second, user=yun)
    clock_at.move_to(AFTER, tick=False)
    selection = calls.selection_propose(proposal=first, actor=people["operator"])
    mailoutbox.clear()

    with committed(execute=True):
        calls.selection_confirm(selection_id=selection.pk, actor=people["finance"])

    second.refresh_from_db()
    assert second.status == Proposal.Status.WITHDRAWN  # not "not selected": it left before the decision
    assert [m.to for m in mailoutbox] == [[studio.email]]  # the outcome only to those still in


def test_only_the_calls_unit_operators_and_the_proposals_designer_may_withdraw(
    client, museum, people, answered
):
    call, studio, yun, first, _second = answered
    other_unit = active_unit("乙馆")
    strangers = {
        "operator of another unit": operator_of(other_unit),
        "finance of another unit": operator_of(other_unit, role="finance"),
        "the unit's finance": people["finance"],
        "a designer who answered": studio,
        "someone": UserFactory(),
    }
    for who, user in strangers.items():
        login_verified(client, user)
        url = reverse("resources:call_withdraw", args=[museum.uid, call.pk])
        assert client.post(url, {"reason": "恶意撤回"}).status_code == 404, who
        assert client.get(url).status_code in {404, 405}, who
        # their own unit's URL carrying unit A's call
        url = reverse("resources:call_withdraw", args=[other_unit.uid, call.pk])
        assert client.post(url, {"reason": "恶意撤回"}).status_code == 404, who
    for who, user in {
        **strangers,
        "the unit's operator": people["operator"],
        "another designer": yun,
    }.items():
        if user == studio:
            continue
        login_verified(client, user)
        url = reverse("resources:me_proposal_withdraw", args=[first.pk])
        assert client.post(url).status_code == 404, who
    call.refresh_from_db()
    first.refresh_from_db()
    assert (call.status, first.status) == ("open", "submitted")
    assert not FinanceAuditEvent.objects.filter(action__endswith="withdrawn").exists()
    with pytest.raises(PermissionError):
        calls.proposal_withdraw(proposal=first, user=yun)
    with pytest.raises(PermissionError):
        calls.call_withdraw(call=call, actor=operator_of(other_unit), reason="x")
