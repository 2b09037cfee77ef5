"""Business days by running totals agree with counting day by day, across years, holidays and the year-end closure."""

import datetime as dt
import random

import pytest

from dxshare.business_days import business_days_between, is_business_day


def _day_by_day(start: dt.date, end: dt.date) -> int:
    return sum(is_business_day(start + dt.timedelta(days=n)) for n in range(1, (end - start).days + 1))


@pytest.mark.parametrize(
    ("start", "end", "days"),
    [
        (dt.date(2026, 12, 25), dt.date(2027, 1, 5), 3),  # Mon 28 Dec, then the closure, then Mon 4 and Tue 5 Jan
        (dt.date(2026, 4, 28), dt.date(2026, 5, 7), 3),  # Golden Week: 30 Apr, 1 May, 7 May
        (dt.date(1999, 12, 30), dt.date(2000, 1, 5), 2),  # across the running totals' first year
        (dt.date(2026, 5, 1), dt.date(2026, 5, 1), 0),
        (dt.date(2026, 5, 7), dt.date(2026, 5, 1), 0),
    ],
)
def test_known_spans(start, end, days):
    assert business_days_between(start, end) == days


def test_agrees_with_counting_each_day():
    rng = random.Random(7)
    for _ in range(300):
        start = dt.date(1995, 1, 1) + dt.timedelta(days=rng.randrange(0, 365 * 40))
        end = start + dt.timedelta(days=rng.randrange(0, 800))
        assert business_days_between(start, end) == _day_by_day(start, end), (start, end)


def test_holiday_names_are_given_for_the_day_in_japanese():
    import datetime as dt

    from dxshare.business_days import holiday_name

    assert holiday_name(dt.date(2027, 1, 11)) == "成人の日"
    assert holiday_name(dt.date(2027, 1, 12)) == ""
    assert holiday_name(dt.date(2027, 1, 11)) == "成人の日"  # remembered, the same answer


# --- Deadlines in business hours and days (the reminders' thresholds) -----------------------------------------------


def _tokyo(*args):
    from zoneinfo import ZoneInfo

    return dt.datetime(*args, tzinfo=ZoneInfo("Asia/Tokyo"))


@pytest.mark.parametrize(
    ("start", "hours", "due"),
    [
        # Friday 16:00 + 4 office hours: Friday 16–17, Monday 9–12.
        (_tokyo(2026, 11, 27, 16, 0), 4, _tokyo(2026, 11, 30, 12, 0)),
        # Filed on a Saturday night: the clock starts on Monday at 9:00.
        (_tokyo(2026, 11, 28, 23, 0), 8, _tokyo(2026, 11, 30, 17, 0)),
        # Filed before opening: counted from 9:00.
        (_tokyo(2026, 12, 1, 7, 30), 2, _tokyo(2026, 12, 1, 11, 0)),
        # Around a national holiday: Monday 23 November 2026 (勤労感謝の日) does not count.
        (_tokyo(2026, 11, 20, 15, 0), 8, _tokyo(2026, 11, 24, 15, 0)),
        # The year-end closure: 28 December 16:00 + 3 hours goes on on 4 January, the first day back.
        (_tokyo(2026, 12, 28, 16, 0), 3, _tokyo(2027, 1, 4, 11, 0)),
        # 23:59 and 00:00: the day turns, the clock does not move at night.
        (_tokyo(2026, 12, 1, 23, 59), 1, _tokyo(2026, 12, 2, 10, 0)),
        (_tokyo(2026, 12, 2, 0, 0), 1, _tokyo(2026, 12, 2, 10, 0)),
    ],
)
def test_business_hours_after(start, hours, due):
    from dxshare.business_days import business_hours_after

    assert business_hours_after(start, hours) == due


@pytest.mark.parametrize(
    ("start", "days", "due"),
    [
        (_tokyo(2026, 11, 27, 15, 0), 3, _tokyo(2026, 12, 2, 15, 0)),  # Friday → Wednesday
        (_tokyo(2026, 11, 20, 10, 0), 1, _tokyo(2026, 11, 24, 10, 0)),  # over a weekend and 勤労感謝の日
        (_tokyo(2026, 12, 25, 10, 0), 2, _tokyo(2027, 1, 4, 10, 0)),  # Mon 28 Dec, then the closure, then 4 Jan
        (_tokyo(2026, 11, 28, 22, 0), 3, _tokyo(2026, 12, 2, 9, 0)),  # Saturday night: Mon, Tue, Wed at opening
        (_tokyo(2026, 12, 1, 19, 0), 1, _tokyo(2026, 12, 2, 17, 0)),  # after closing: at closing the next day
    ],
)
def test_business_days_after(start, days, due):
    from dxshare.business_days import business_days_after, business_days_between

    assert business_days_after(start, days) == due
    assert business_days_between(start.date(), due.date()) == days
