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
