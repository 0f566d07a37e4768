"""Date values of `is_date_*` properties (pure)."""

from datetime import UTC, datetime, timedelta

import pytest

from flags.dates import date_value_parse

NOW = datetime(2024, 3, 31, 12, 0, tzinfo=UTC)
UTC = UTC


@pytest.mark.parametrize(
    "value, expected",
    [
        ("7d", NOW - timedelta(days=7)),
        ("-7d", NOW - timedelta(days=7)),
        ("48h", NOW - timedelta(hours=48)),
        ("2w", NOW - timedelta(weeks=2)),
        ("1m", datetime(2024, 2, 29, 12, 0, tzinfo=UTC)),  # clamped to the month's last day
        ("13m", datetime(2023, 2, 28, 12, 0, tzinfo=UTC)),
        ("1y", datetime(2023, 3, 31, 12, 0, tzinfo=UTC)),
        ("9999d", NOW - timedelta(days=9999)),
        ("2024-05-01", datetime(2024, 5, 1, tzinfo=UTC)),
        ("2024-05-01T10:30:00Z", datetime(2024, 5, 1, 10, 30, tzinfo=UTC)),
        ("2024-05-01T10:30:00+02:00", datetime(2024, 5, 1, 8, 30, tzinfo=UTC)),
        ("2024-05-01 10:30", datetime(2024, 5, 1, 10, 30, tzinfo=UTC)),
        ("2024/05/01", datetime(2024, 5, 1, tzinfo=UTC)),
        ("05/01/2024", datetime(2024, 5, 1, tzinfo=UTC)),
        ("May 1, 2024", datetime(2024, 5, 1, tzinfo=UTC)),
        ("1 May 2024", datetime(2024, 5, 1, tzinfo=UTC)),
    ],
)
def test_dates_that_parse(value, expected):
    assert date_value_parse(value, now=NOW) == expected


@pytest.mark.parametrize("value", ["", "7", "7D", "7x", "10000d", "5000y", "yesterday", "2024-13-01", 7, None, ["7d"]])
def test_values_that_are_not_dates(value):
    assert date_value_parse(value, now=NOW) is None
