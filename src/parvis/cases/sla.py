"""Answer deadlines in French business days: weekends and public holidays do not count."""

from datetime import date, datetime, time, timedelta
from functools import cache

import holidays
from django.utils import timezone

END_OF_DAY = time(18, 0)


@cache
def _holidays(year: int) -> holidays.HolidayBase:
    return holidays.France(years=year)


def is_business_day(day: date) -> bool:
    return day.weekday() < 5 and day not in _holidays(day.year)


def add_business_days(start: datetime, days: int) -> datetime:
    """The end of the `days`-th business day after `start` (local time)."""
    day = timezone.localtime(start).date()
    remaining = days
    while remaining > 0:
        day += timedelta(days=1)
        if is_business_day(day):
            remaining -= 1
    return timezone.make_aware(datetime.combine(day, END_OF_DAY))
