"""Backers are mailed the campaign's outcome, in Chinese and English, once per backing order: it succeeded,
it failed (full refund), or its unit cancelled it (full refund)."""

from __future__ import annotations

import pytest

from campaigns import services
from campaigns.models import BackerMail
from tests.campaigns.conftest import END
from tests.campaigns.test_money import backing
from tests.unit_onboarding.factories import platform_finance_user

pytestmark = pytest.mark.django_db


def decide(time_machine, django_capture_on_commit_callbacks):
    time_machine.move_to(END + services.DECIDE_GRACE, tick=False)
    with django_capture_on_commit_callbacks(execute=True):
        services.campaigns_tick()


def test_each_backer_is_told_the_campaign_succeeded_once(
    live, deliver, time_machine, mailoutbox, django_capture_on_commit_callbacks
):
    for n in range(3):
        deliver("order_fully_paid", backing(live, f"order-m{n}").payload())
    mailoutbox.clear()  # the units' new-order mails

    decide(time_machine, django_capture_on_commit_callbacks)

    assert len(mailoutbox) == 3 and {m.to[0] for m in mailoutbox} == {"buyer@example.cn"}
    mail = mailoutbox[0]
    assert mail.subject == (
        "众筹项目“千里江山图折扇众筹”已达成目标 / "
        "Campaign A Thousand Li of Rivers and Mountains: a folding fan reached its goal"
    )
    assert "2027-01-15" in mail.body and "/orders/" in mail.body
    assert "感谢" in mail.body and "Thank you for backing" in mail.body
    with django_capture_on_commit_callbacks(execute=True):
        services.campaigns_tick()
    assert len(mailoutbox) == 3  # never twice
    assert BackerMail.objects.filter(sent_at__isnull=False).count() == 3


def test_backers_of_a_failed_campaign_are_told_of_their_full_refund(
    live, deliver, time_machine, mailoutbox, django_capture_on_commit_callbacks
):
    deliver("order_fully_paid", backing(live, "order-m9", quantity=2).payload())
    mailoutbox.clear()
    decide(time_machine, django_capture_on_commit_callbacks)  # 271.36 of 300.00: failed
    (mail,) = mailoutbox
    assert "未达成目标" in mail.subject and "did not reach its goal" in mail.subject
    assert "¥271.36" in mail.body


def test_backers_of_a_cancelled_campaign_are_told_who_cancelled_it(
    live, deliver, mailoutbox, django_capture_on_commit_callbacks
):
    deliver("order_fully_paid", backing(live, "order-m8").payload())
    mailoutbox.clear()
    asked = services.campaign_cancel_request(campaign=live, actor=live.created_by, reason="停产")
    with django_capture_on_commit_callbacks(execute=True):
        services.campaign_cancel_confirm(cancellation_id=asked.pk, actor=platform_finance_user())
    (mail,) = mailoutbox
    assert "已取消" in mail.subject and "was cancelled" in mail.subject
    assert str(live.unit) in mail.body and "¥135.68" in mail.body
