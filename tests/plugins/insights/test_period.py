from datetime import date, timedelta

import pytest

from plugins.insights.period import DAILY_UP_TO, MAX_DAYS, Period, PeriodError


def test_last_days_ends_today_and_covers_whole_days():
    period = Period.last(7, today=date(2026, 12, 2))
    assert (period.first_day, period.last_day, period.days) == (date(2026, 11, 26), date(2026, 12, 2), 7)
    assert period.end - period.start == timedelta(days=7)
    assert period.start.tzinfo is not None


def test_short_periods_are_daily_and_long_ones_weekly():
    daily = Period.last(DAILY_UP_TO, today=date(2026, 12, 2))
    weekly = Period.last(DAILY_UP_TO + 1, today=date(2026, 12, 2))
    assert len(daily.buckets()) == DAILY_UP_TO
    assert not daily.weekly and weekly.weekly
    # Wednesday 2 December 2026 falls in the week starting Monday 30 November.
    assert weekly.bucket_of(date(2026, 12, 2)) == date(2026, 11, 30)
    # The partial first week starts on the period's first day, not before it.
    assert weekly.buckets()[0] == weekly.first_day
    assert all(bucket.weekday() == 0 for bucket in weekly.buckets()[1:])


def test_between_refuses_reversed_and_overlong_periods():
    with pytest.raises(PeriodError, match="first day comes after its last day"):
        Period.between(date(2026, 12, 2), date(2026, 12, 1))
    with pytest.raises(PeriodError, match=f"at most {MAX_DAYS} days"):
        Period.between(date(2020, 1, 1), date(2026, 1, 1))
    assert Period.between(date(2026, 12, 1), date(2026, 12, 1)).days == 1


def test_hook_argument_is_plain_data():
    argument = Period.between(date(2026, 11, 1), date(2026, 11, 30)).as_hook_argument()
    assert set(argument) == {"start", "end", "first_day", "last_day", "timezone"}
    assert argument["first_day"] == date(2026, 11, 1) and argument["last_day"] == date(2026, 11, 30)
