"""The inboxes' one retry policy: waits double up to the cap; an exhausted row is no longer due."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from core.retry import CATALOG_SYNC_RETRY, INBOX_RETRY, PROVISIONING_RETRY, Backoff


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


def test_catalog_sync_and_provisioning_keep_their_waits_and_are_never_parked():
    for n in range(1, 30):
        assert CATALOG_SYNC_RETRY.wait(n) == timedelta(minutes=min(2**n, 60))
        assert PROVISIONING_RETRY.wait(n) == timedelta(minutes=min(2 ** (n - 1), 60))
        assert not CATALOG_SYNC_RETRY.exhausted(n) and not PROVISIONING_RETRY.exhausted(n)


def test_an_unlimited_policy_is_due_hourly_from_where_the_wait_reaches_the_cap():
    now = datetime(2026, 1, 1, tzinfo=UTC)
    due = PROVISIONING_RETRY.due(now=now, attempts_field="attempts", at_field="at")
    terms = [dict(child.children) for child in due.children]
    exact = {t["attempts"]: t["at__lt"] for t in terms if "attempts" in t}
    assert exact == {n: now - timedelta(minutes=2 ** (n - 1)) for n in range(1, 7)}
    assert [t for t in terms if "attempts__gte" in t] == [
        {"attempts__gte": 7, "at__lt": now - timedelta(hours=1)}
    ]
