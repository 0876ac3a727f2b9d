"""The inboxes' one retry policy: waits double up to the cap; an exhausted row is no longer due."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from core.retry import INBOX_RETRY, Backoff


def test_waits_double_from_the_base_up_to_the_cap():
    policy = Backoff(max_attempts=5, base_seconds=10, cap_seconds=100)
    assert [policy.wait(n).total_seconds() for n in range(1, 5)] == [20, 40, 80, 100]
    assert (policy.exhausted(4), policy.exhausted(5)) == (False, True)


def test_due_has_one_term_per_attempt_count_still_retried():
    now = datetime(2026, 1, 1, tzinfo=UTC)
    due = INBOX_RETRY.due(now=now, attempts_field="attempts", at_field="processed_at")
    terms = {}
    for child in due.children:
        fields = dict(child.children)
        terms[fields["attempts"]] = fields["processed_at__lt"]
    assert sorted(terms) == list(range(1, INBOX_RETRY.max_attempts))
    assert terms[1] == now - timedelta(seconds=20)
    assert terms[9] == now - timedelta(hours=1)
