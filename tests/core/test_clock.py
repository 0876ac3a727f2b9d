"""The business clock: one now, moved by tests; days and months of Asia/Shanghai."""

from __future__ import annotations

from datetime import UTC, date, datetime

from core import clock


def test_now_is_the_moved_clock(time_machine):
    time_machine.move_to(datetime(2031, 5, 18, 9, 0, tzinfo=UTC), tick=False)
    assert clock.now() == datetime(2031, 5, 18, 9, 0, tzinfo=UTC)


def test_the_day_turns_at_midnight_in_asia_shanghai_not_utc(time_machine):
    # 15:59 UTC on the last day of a month is still that day in China; 16:00 UTC is the next month
    time_machine.move_to(datetime(2028, 2, 29, 15, 59, tzinfo=UTC), tick=False)
    assert clock.today() == date(2028, 2, 29)
    time_machine.move_to(datetime(2028, 2, 29, 16, 0, tzinfo=UTC), tick=False)
    assert clock.today() == date(2028, 3, 1)


def test_a_day_runs_from_local_midnight_to_local_midnight():
    assert clock.day_start(date(2026, 12, 1)) == datetime(2026, 11, 30, 16, 0, tzinfo=UTC)
    assert clock.day_end(date(2026, 12, 31)) == datetime(2026, 12, 31, 16, 0, tzinfo=UTC)
    assert clock.today(datetime(2026, 12, 31, 16, 30, tzinfo=UTC)) == date(2027, 1, 1)
