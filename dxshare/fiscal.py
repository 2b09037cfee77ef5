"""Japanese fiscal years (年度): FY2022 is 2022-04-01 to 2023-03-31, cut in the portal's time zone (Asia/Tokyo)."""

import datetime as dt

from django.utils import timezone
from django.utils.translation import gettext as _

FISCAL_YEAR_START_MONTH = 4


def local_date(value: dt.date | dt.datetime) -> dt.date:
    """The calendar date in Asia/Tokyo of an aware datetime (a plain date is returned as it is)."""
    if isinstance(value, dt.datetime):
        return timezone.localtime(value).date()
    return value


def fiscal_year_of(value: dt.date | dt.datetime) -> int:
    day = local_date(value)
    return day.year if day.month >= FISCAL_YEAR_START_MONTH else day.year - 1


def current_fiscal_year() -> int:
    return fiscal_year_of(timezone.now())


def fiscal_year_span(fiscal_year: int) -> tuple[dt.datetime, dt.datetime]:
    """Aware datetimes [start, end) in the current time zone, for filtering timestamp columns."""
    tz = timezone.get_current_timezone()
    return (
        dt.datetime(fiscal_year, 4, 1, tzinfo=tz),
        dt.datetime(fiscal_year + 1, 4, 1, tzinfo=tz),
    )


def start_of_day(day: dt.date) -> dt.datetime:
    """00:00 of `day` in the current time zone (Asia/Tokyo), as an aware datetime for range filters."""
    return dt.datetime.combine(day, dt.time.min, tzinfo=timezone.get_current_timezone())


def fiscal_year_label(fiscal_year: int) -> str:
    return _("FY%(year)s") % {"year": fiscal_year}
