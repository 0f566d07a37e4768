"""Date values of `is_date_before/after/exact` flag properties (pure).

A value is either relative — `^-?<number><h|d|w|m|y>$`, meaning "now minus that many hours, days,
weeks, months or years" (numbers of 10000 or more are refused, as in PostHog) — or an absolute date.
PostHog parses absolute dates with dateutil; we accept the forms people actually send without that
dependency: ISO 8601 (`2024-05-01`, `2024-05-01T10:00:00Z`, `2024-05-01 10:00`), `2024/05/01`,
US-style `05/01/2024` (dateutil's default month-first reading), `May 1, 2024`, `1 May 2024`, `2024-05`.
Naive results are UTC. The evaluation engine uses the same function, so what validates evaluates.
"""

import calendar
import re
from datetime import UTC, datetime, timedelta

RELATIVE_DATE_RE = re.compile(r"^-?(?P<number>[0-9]+)(?P<interval>[a-z])$")
MAX_RELATIVE_NUMBER = 10_000

_ABSOLUTE_FORMATS = (
    "%Y/%m/%d",
    "%Y/%m/%d %H:%M",
    "%Y/%m/%d %H:%M:%S",
    "%m/%d/%Y",
    "%m/%d/%Y %H:%M",
    "%m/%d/%Y %H:%M:%S",
    "%B %d, %Y",
    "%b %d, %Y",
    "%B %d %Y",
    "%b %d %Y",
    "%d %B %Y",
    "%d %b %Y",
    "%Y-%m",
)


def _months_before(moment: datetime, months: int) -> datetime:
    total = moment.year * 12 + (moment.month - 1) - months
    year, month = divmod(total, 12)
    if year < 1:
        raise OverflowError("date before year 1")
    day = min(moment.day, calendar.monthrange(year, month + 1)[1])
    return moment.replace(year=year, month=month + 1, day=day)


def relative_date_parse(value: str, *, now: datetime) -> datetime | None:
    match = RELATIVE_DATE_RE.match(value)
    if not match:
        return None
    number = int(match.group("number"))
    if number >= MAX_RELATIVE_NUMBER:
        return None
    interval = match.group("interval")
    try:
        if interval == "h":
            return now - timedelta(hours=number)
        if interval == "d":
            return now - timedelta(days=number)
        if interval == "w":
            return now - timedelta(weeks=number)
        if interval == "m":
            return _months_before(now, number)
        if interval == "y":
            return _months_before(now, number * 12)
    except (OverflowError, ValueError):
        return None
    return None


def absolute_date_parse(value: str) -> datetime | None:
    text = value.strip()
    if not text:
        return None
    parsed: datetime | None = None
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        for fmt in _ABSOLUTE_FORMATS:
            try:
                parsed = datetime.strptime(text, fmt)
                break
            except ValueError:
                continue
    if parsed is None:
        return None
    return parsed if parsed.tzinfo is not None else parsed.replace(tzinfo=UTC)


def date_value_parse(value: object, *, now: datetime | None = None) -> datetime | None:
    """The moment a date property value denotes, or None when it is not a date."""
    if not isinstance(value, str):
        return None
    now = now or datetime.now(UTC)
    return relative_date_parse(value, now=now) or absolute_date_parse(value)
