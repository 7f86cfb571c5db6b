"""Publication dates as researchers write them: YYYY, YYYY-MM or YYYY-MM-DD, and the days they span."""

from __future__ import annotations

import calendar
import re
from datetime import date

from indexer.errors import LoupeError

DATE_VALUE = re.compile(r"^\d{4}(-(0[1-9]|1[0-2])(-(0[1-9]|[12]\d|3[01]))?)?$")
FIRST_YEAR = 1  # datetime has no year 0


class DateError(LoupeError):
    """A date is not one of the accepted forms."""

    code = "bad_parameter"


def check_date_value(value: str, what: str = "date", error: type[LoupeError] = DateError) -> str:
    """`value` if it is YYYY, YYYY-MM or a real YYYY-MM-DD day (year 0001 to 9999); else raise `error`."""
    valid = bool(DATE_VALUE.match(value)) and int(value[:4]) >= FIRST_YEAR
    if valid and len(value) == 10:
        try:
            date.fromisoformat(value)
        except ValueError:
            valid = False
    if not valid:
        raise error(f"{what} {value!r} is not a date: write YYYY, YYYY-MM or YYYY-MM-DD (years 0001 to 9999)")
    return value


def first_day(value: str) -> date:
    """The first day of a checked YYYY[-MM[-DD]] period."""
    if len(value) == 4:
        return date(int(value), 1, 1)
    if len(value) == 7:
        return date(int(value[:4]), int(value[5:7]), 1)
    return date.fromisoformat(value)


def last_day(value: str) -> date:
    """The last day of a checked YYYY[-MM[-DD]] period."""
    if len(value) == 10:
        return date.fromisoformat(value)
    year, month = int(value[:4]), int(value[5:7]) if len(value) == 7 else 12
    return date(year, month, calendar.monthrange(year, month)[1])
