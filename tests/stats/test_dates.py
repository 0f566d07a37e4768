"""The stats date range: ISO dates and date times, relative `-Nh/-Nd/-Nw`, defaults and refusals (pure)."""

from datetime import UTC, datetime, timedelta, timezone

import pytest

from core.errors import InvalidInput
from tours.services.stats_dates import StatsRange, stats_date_parse, stats_range_parse

NOW = datetime(2025, 6, 15, 12, 30, tzinfo=UTC)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("-24h", NOW - timedelta(hours=24)),
        ("-7d", NOW - timedelta(days=7)),
        ("-4w", NOW - timedelta(weeks=4)),
        ("-0d", NOW),
        ("2025-01-31", datetime(2025, 1, 31, tzinfo=UTC)),
        ("2025-01-31T10:00:00Z", datetime(2025, 1, 31, 10, tzinfo=UTC)),
        ("2025-01-31T10:00:00.250Z", datetime(2025, 1, 31, 10, 0, 0, 250000, tzinfo=UTC)),
        ("2025-01-31T12:00:00+02:00", datetime(2025, 1, 31, 10, tzinfo=UTC)),
        ("2025-01-31 12:00:00 02:00", datetime(2025, 1, 31, 10, tzinfo=UTC)),  # `+` unencoded in a URL
        ("2025-01-31T10:00", datetime(2025, 1, 31, 10, tzinfo=UTC)),  # no offset: UTC
        (" 2025-01-31 ", datetime(2025, 1, 31, tzinfo=UTC)),
    ],
)
def test_accepted_forms(value, expected):
    assert stats_date_parse(value=value, now=NOW) == expected


def test_a_date_alone_as_an_upper_bound_is_the_end_of_that_day():
    end = stats_date_parse(value="2025-01-31", now=NOW, end_of_day=True)
    assert end == datetime(2025, 1, 31, 23, 59, 59, 999999, tzinfo=UTC)
    # A date time is taken as it is.
    assert stats_date_parse(value="2025-01-31T00:00:00Z", now=NOW, end_of_day=True) == datetime(2025, 1, 31, tzinfo=UTC)


def test_now_in_another_zone_gives_utc():
    local = NOW.astimezone(timezone(timedelta(hours=-5)))
    assert stats_date_parse(value="-1h", now=local) == NOW - timedelta(hours=1)
    assert stats_date_parse(value="-1h", now=local).tzinfo == UTC


@pytest.mark.parametrize(
    "value",
    [
        "yesterday",
        "-7",
        "7d",
        "-7x",
        "+7d",
        "-1.5d",
        "2025-13-01",
        "2025-02-30",
        "2025-02-30T10:00:00Z",
        "31/01/2025",
        "-9999999w",  # before the calendar's start
        "0001-01-01T00:00:00+01:00",
        "2025-01-31T25:00:00Z",
    ],
)
def test_refused_forms(value):
    assert stats_date_parse(value=value, now=NOW) is None


def test_defaults_are_the_last_30_days_up_to_now():
    expected = StatsRange(date_from=NOW - timedelta(days=30), date_to=NOW)
    assert stats_range_parse(date_from=None, date_to=None, now=NOW) == expected
    assert stats_range_parse(date_from="", date_to=" ", now=NOW) == expected


def test_one_bound_given():
    assert stats_range_parse(date_from="-7d", date_to=None, now=NOW) == StatsRange(NOW - timedelta(days=7), NOW)
    assert stats_range_parse(date_from=None, date_to="2025-06-01", now=NOW) == StatsRange(
        NOW - timedelta(days=30), datetime(2025, 6, 1, 23, 59, 59, 999999, tzinfo=UTC)
    )


@pytest.mark.parametrize(("date_from", "date_to", "attr"), [("soon", None, "date_from"), (None, "-3q", "date_to")])
def test_unreadable_bound_names_its_parameter(date_from, date_to, attr):
    with pytest.raises(InvalidInput) as raised:
        stats_range_parse(date_from=date_from, date_to=date_to, now=NOW)
    assert raised.value.attr == attr
    assert raised.value.detail == (
        f"{attr} must be an ISO 8601 date or date time, or relative to now like -24h, -7d or -4w."
    )


def test_from_after_to_is_refused_and_equal_bounds_are_one_instant():
    with pytest.raises(InvalidInput) as raised:
        stats_range_parse(date_from="2025-02-01", date_to="2025-01-31", now=NOW)
    assert (raised.value.attr, raised.value.detail) == ("date_from", "date_from must not be after date_to.")
    instant = "2025-01-31T10:00:00Z"
    moment = datetime(2025, 1, 31, 10, tzinfo=UTC)
    assert stats_range_parse(date_from=instant, date_to=instant, now=NOW) == StatsRange(moment, moment)
    # The same day as both bounds: the whole day.
    day = stats_range_parse(date_from="2025-01-31", date_to="2025-01-31", now=NOW)
    assert day.date_to - day.date_from == timedelta(days=1, microseconds=-1)
