"""Business days of Japanese public offices: weekdays that are not national holidays nor the year-end closure.

Government offices close from 29 December to 3 January (行政機関の休日に関する法律); national holidays come from
jpholiday.

Counting is a subtraction of two running totals (business days from 1 January of a year up to a date, plus whole
years before it, each computed once per process), so a list page can show the wait of every row without walking
day by day through each request's age.
"""

import datetime as dt
from functools import lru_cache
from itertools import accumulate

import jpholiday
from django.utils import timezone

EPOCH_YEAR = 2000


def _year_end_closure(day: dt.date) -> bool:
    return (day.month == 12 and day.day >= 29) or (day.month == 1 and day.day <= 3)


@lru_cache(maxsize=4096)
def is_business_day(day: dt.date) -> bool:
    return day.weekday() < 5 and not _year_end_closure(day) and not jpholiday.is_holiday(day)


@lru_cache(maxsize=256)
def _running_total(year: int) -> tuple[int, ...]:
    """Business days of `year` from 1 January up to and including each day (index: day of the year - 1)."""
    first = dt.date(year, 1, 1)
    days = (dt.date(year + 1, 1, 1) - first).days
    return tuple(accumulate(is_business_day(first + dt.timedelta(days=offset)) for offset in range(days)))


@lru_cache(maxsize=256)
def _before_year(year: int) -> int:
    """Business days from EPOCH_YEAR-01-01 up to the end of the year before `year` (negative before the epoch)."""
    if year == EPOCH_YEAR:
        return 0
    if year > EPOCH_YEAR:
        return _before_year(year - 1) + _running_total(year - 1)[-1]
    return _before_year(year + 1) - _running_total(year)[-1]


def _up_to(day: dt.date) -> int:
    return _before_year(day.year) + _running_total(day.year)[day.timetuple().tm_yday - 1]


def business_days_between(start: dt.date, end: dt.date) -> int:
    """Business days after `start` up to and including `end` (0 when end <= start).

    A request filed on Friday and looked at on Monday has waited 1 business day.
    """
    if end <= start:
        return 0
    return _up_to(end) - _up_to(start)


def waited_since(days: int, today: dt.date) -> dt.date:
    """The latest day from which `days` business days have passed by `today`: whatever started on that day or
    before has waited at least `days` business days (business_days_between(day, today) >= days)."""
    day = today
    while business_days_between(day, today) < days:
        day -= dt.timedelta(days=1)
    return day


@lru_cache(maxsize=4096)
def holiday_name(day: dt.date) -> str:
    """The national holiday's name on `day` ("" if none), remembered: jpholiday works it out anew on every call
    (about half a millisecond), and a month's calendar asks 35 times."""
    return jpholiday.is_holiday_name(day) or ""


# --- Deadlines: "N business hours / days after" -------------------------------------------------------------------

OFFICE_OPENS = dt.time(9, 0)  # office hours of a Japanese town hall, in local time: 9:00–17:00 counts 8 hours a day
OFFICE_CLOSES = dt.time(17, 0)
OFFICE_HOURS_PER_DAY = 8


def _next_business_day(day: dt.date) -> dt.date:
    day += dt.timedelta(days=1)
    while not is_business_day(day):
        day += dt.timedelta(days=1)
    return day


def business_hours_after(start: dt.datetime, hours: int) -> dt.datetime:
    """The moment when `hours` office hours (9:00–17:00 on business days, Asia/Tokyo) have passed since `start`.

    Time outside office hours does not count: a request filed on Friday at 16:00 has waited 4 business hours on
    Monday at 12:00 (Friday 16–17, Monday 9–12). The answer is an aware datetime in the current time zone.
    """
    local = timezone.localtime(start)
    day, moment = local.date(), local.time().replace(tzinfo=None)
    if not is_business_day(day) or moment >= OFFICE_CLOSES:
        day, moment = _next_business_day(day), OFFICE_OPENS
    elif moment < OFFICE_OPENS:
        moment = OFFICE_OPENS
    remaining = dt.timedelta(hours=hours)
    while True:
        left_today = dt.datetime.combine(day, OFFICE_CLOSES) - dt.datetime.combine(day, moment)
        if remaining <= left_today:
            return timezone.make_aware(dt.datetime.combine(day, moment) + remaining)
        remaining -= left_today
        day, moment = _next_business_day(day), OFFICE_OPENS


def business_days_after(start: dt.datetime, days: int) -> dt.datetime:
    """The moment when `days` business days have passed since `start`: the same time of day, `days` business days
    later (business_days_between counts them), moved into office hours. Routed on Friday at 15:00, three business
    days have passed on Wednesday at 15:00; routed on Saturday, on Wednesday at 9:00."""
    local = timezone.localtime(start)
    day, moment = local.date(), local.time().replace(tzinfo=None)
    if not is_business_day(day):
        moment = OFFICE_OPENS
    for _ in range(days):
        day = _next_business_day(day)
    moment = min(max(moment, OFFICE_OPENS), OFFICE_CLOSES)
    return timezone.make_aware(dt.datetime.combine(day, moment))


def business_day_ordinal(day: dt.date) -> int:
    """Business days from 2000-01-01 up to and including `day` (negative before): what the database's calendar
    table (reports.BusinessDay) stores, so that SQL subtracts two of them to count business days."""
    return _up_to(day)
