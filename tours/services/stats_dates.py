"""The date range of the tour stats: `date_from` / `date_to` as ISO 8601 dates or date times, or relative
to now (`-24h`, `-7d`, `-4w`). Pure functions."""

import re
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta

from django.utils.dateparse import parse_date, parse_datetime

from core.errors import InvalidInput

DEFAULT_WINDOW = timedelta(days=30)  # date_from defaults to -30d
RELATIVE = re.compile(r"-(\d{1,7})([hdw])")
UNITS = {"h": timedelta(hours=1), "d": timedelta(days=1), "w": timedelta(weeks=1)}
DATE_ONLY = re.compile(r"\d{4}-\d{2}-\d{2}")
# An unencoded `+` in a query string arrives as a space: `…T10:00:00 02:00` meant `…T10:00:00+02:00`.
PLUS_AS_SPACE = re.compile(r"(.+\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?) (\d{2}(?::?\d{2})?)")
DATE_HELP = "an ISO 8601 date or date time, or relative to now like -24h, -7d or -4w"


@dataclass(frozen=True, slots=True)
class StatsRange:
    """Both bounds inclusive, aware, UTC."""

    date_from: datetime
    date_to: datetime


def stats_date_parse(*, value: str, now: datetime, end_of_day: bool = False) -> datetime | None:
    """`value` as an aware UTC date time, or None when it is none of the accepted forms.

    A date alone is the start of that day (UTC), or its last microsecond with `end_of_day`, so that a
    date-only upper bound includes the whole day. A date time without an offset is UTC.
    """
    text = value.strip()
    try:
        relative = RELATIVE.fullmatch(text)
        if relative:
            return now.astimezone(UTC) - int(relative[1]) * UNITS[relative[2]]
        if DATE_ONLY.fullmatch(text):
            day = parse_date(text)
            return None if day is None else datetime.combine(day, time.max if end_of_day else time.min, UTC)
        spaced = PLUS_AS_SPACE.fullmatch(text)
        moment = parse_datetime(f"{spaced[1]}+{spaced[2]}" if spaced else text)
    except (ValueError, OverflowError):  # 2025-02-30, or a range past the calendar's ends
        return None
    if moment is None:
        return None
    try:
        return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)
    except OverflowError:
        return None


def _bound(name: str, raw: str | None, *, now: datetime, end_of_day: bool) -> datetime | None:
    """The parameter's date time; None when absent or empty (the default applies)."""
    if raw is None or not raw.strip():
        return None
    parsed = stats_date_parse(value=raw, now=now, end_of_day=end_of_day)
    if parsed is None:
        raise InvalidInput(f"{name} must be {DATE_HELP}.", attr=name)
    return parsed


def stats_range_parse(*, date_from: str | None, date_to: str | None, now: datetime) -> StatsRange:
    """The range the query asks for; absent or empty bounds default to the last 30 days up to now.

    Raises `InvalidInput` naming the parameter that cannot be read, or `date_from` when it is after
    `date_to`.
    """
    start = _bound("date_from", date_from, now=now, end_of_day=False)
    end = _bound("date_to", date_to, now=now, end_of_day=True)
    if start is None:
        start = now.astimezone(UTC) - DEFAULT_WINDOW
    if end is None:
        end = now.astimezone(UTC)
    if start > end:
        raise InvalidInput("date_from must not be after date_to.", attr="date_from")
    return StatsRange(date_from=start, date_to=end)


def stats_range_last_days(*, days: int, now: datetime) -> StatsRange:
    """The last `days` days up to now (the admin's view)."""
    end = now.astimezone(UTC)
    return StatsRange(date_from=end - timedelta(days=days), date_to=end)
