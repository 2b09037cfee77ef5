"""Business days of Japanese public offices: weekdays that are not national holidays nor the year-end closure.

Government offices close from 29 December to 3 January (行政機関の休日に関する法律); national holidays come from
jpholiday.
"""

import datetime as dt
from functools import lru_cache

import jpholiday


def _year_end_closure(day: dt.date) -> bool:
    return (day.month == 12 and day.day >= 29) or (day.month == 1 and day.day <= 3)


@lru_cache(maxsize=4096)
def is_business_day(day: dt.date) -> bool:
    return day.weekday() < 5 and not _year_end_closure(day) and not jpholiday.is_holiday(day)


def business_days_between(start: dt.date, end: dt.date) -> int:
    """Business days after `start` up to and including `end` (0 when end <= start).

    A request filed on Friday and looked at on Monday has waited 1 business day.
    """
    if end <= start:
        return 0
    return sum(1 for offset in range(1, (end - start).days + 1) if is_business_day(start + dt.timedelta(days=offset)))
