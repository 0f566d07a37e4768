"""One flag condition property compiled into a test (pure): operator resolved, filter side parsed once.

`property_compile(prop)` does, once per flag revision, everything that does not depend on the person:
lower-cased texts, numbers, absolute dates, RE2 patterns. The returned test then takes the person's
properties (and `now`, for relative dates) and answers True/False with PostHog's semantics.
"""

from collections.abc import Callable, Mapping
from datetime import UTC, date, datetime
from typing import Any

from flags.dates import RELATIVE_DATE_RE, relative_date_parse
from flags.dates import absolute_date_parse as text_date_parse
from flags.regex import MAX_REGEX_INPUT_CHARS, regex_compiled

NUMERIC_OPERATORS = frozenset({"gt", "gte", "lt", "lte"})

PropertyTest = Callable[[Mapping[str, Any], datetime], bool]


def _as_utc(value: datetime) -> datetime:
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def absolute_date_parse(value: Any) -> datetime | None:
    """Parse a person-side or filter-side date: datetime, date, ISO string or unix timestamp."""
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, datetime):
        return _as_utc(value)
    if isinstance(value, date):
        return datetime(value.year, value.month, value.day, tzinfo=UTC)
    if isinstance(value, (int, float)):
        try:
            return datetime.fromtimestamp(float(value), tz=UTC)
        except (OverflowError, OSError, ValueError):
            return None
    if isinstance(value, str):
        text = value.strip()
        try:
            return datetime.fromtimestamp(float(text), tz=UTC)
        except (ValueError, OverflowError, OSError):
            pass
        return text_date_parse(text)
    return None


def text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def semver(value: Any) -> tuple[int, int, int] | None:
    if not isinstance(value, (str, int, float)) or isinstance(value, bool):
        return None
    parts = str(value).strip().lstrip("vV").split("-")[0].split("+")[0].split(".")
    if not parts or len(parts) > 3:
        return None
    try:
        numbers = [int(p) for p in parts]
    except ValueError:
        return None
    while len(numbers) < 3:
        numbers.append(0)
    return numbers[0], numbers[1], numbers[2]


def _semver_test(operator: str, filter_value: Any) -> Callable[[Any], bool]:
    if operator == "semver_wildcard":
        pattern = str(filter_value).strip().lstrip("vV").split(".")
        try:
            fixed = [int(p) for p in pattern if p not in ("*", "x", "X")]
        except ValueError:
            return lambda _person: False

        def wildcard(person: Any) -> bool:
            left = semver(person)
            return left is not None and list(left[: len(fixed)]) == fixed

        return wildcard
    right = semver(filter_value)
    if right is None:
        return lambda _person: False
    if operator == "semver_caret":
        if right[0] > 0:
            upper = (right[0] + 1, 0, 0)
        elif right[1] > 0:
            upper = (0, right[1] + 1, 0)
        else:
            upper = (0, 0, right[2] + 1)
    else:
        upper = (right[0], right[1] + 1, 0)  # semver_tilde
    compare: dict[str, Callable[[tuple, tuple], bool]] = {
        "semver_eq": lambda a, b: a == b,
        "semver_neq": lambda a, b: a != b,
        "semver_gt": lambda a, b: a > b,
        "semver_gte": lambda a, b: a >= b,
        "semver_lt": lambda a, b: a < b,
        "semver_lte": lambda a, b: a <= b,
        "semver_tilde": lambda a, b: b <= a < upper,
        "semver_caret": lambda a, b: b <= a < upper,
    }
    check = compare.get(operator)
    if check is None:
        return lambda _person: False

    def semver_test(person: Any) -> bool:
        left = semver(person)
        return left is not None and check(left, right)

    return semver_test


_ORDER: dict[str, Callable[[Any, Any], bool]] = {
    "gt": lambda a, b: a > b,
    "gte": lambda a, b: a >= b,
    "lt": lambda a, b: a < b,
    "lte": lambda a, b: a <= b,
}


def _numeric_test(operator: str, filter_value: Any) -> Callable[[Any], bool]:
    """Numbers compare as numbers unless the person's value is a string (or the filter's a bool):
    then both compare as text, as PostHog's engine does."""
    order = _ORDER[operator]
    try:
        number: float | None = float(filter_value)
    except (TypeError, ValueError):
        number = None
    numeric_filter = number is not None and not isinstance(filter_value, bool)
    filter_text = text(filter_value)

    def numeric(person: Any) -> bool:
        if numeric_filter and not isinstance(person, str):
            try:
                return order(float(person), number)
            except (TypeError, ValueError):
                return False
        return order(text(person), filter_text)

    return numeric


def _date_test(operator: str, filter_value: Any) -> Callable[[Any, datetime], bool]:
    relative = isinstance(filter_value, str) and RELATIVE_DATE_RE.match(filter_value.strip())
    fixed = None
    if not relative:
        fixed = (
            text_date_parse(filter_value.strip())
            if isinstance(filter_value, str)
            else absolute_date_parse(filter_value)
        )
    stripped = filter_value.strip() if isinstance(filter_value, str) else ""

    def date_test(person: Any, now: datetime) -> bool:
        filter_date = relative_date_parse(stripped, now=now) if relative else fixed
        person_date = absolute_date_parse(person)
        if filter_date is None or person_date is None:
            return False
        if operator == "is_date_before":
            return person_date < filter_date
        if operator == "is_date_after":
            return person_date > filter_date
        return person_date == filter_date

    return date_test


def _value_test(operator: str, value: Any) -> Callable[[Any, datetime], bool] | None:
    """The test of a present person value, or None when the operator never matches here."""
    if operator in ("exact", "is_not"):
        wanted = {text(v).lower() for v in value} if isinstance(value, list) else {text(value).lower()}
        if operator == "exact":
            return lambda person, _now: text(person).lower() in wanted
        return lambda person, _now: text(person).lower() not in wanted
    if operator in ("icontains", "not_icontains"):
        needle = text(value).lower()
        if operator == "icontains":
            return lambda person, _now: needle in text(person).lower()
        return lambda person, _now: needle not in text(person).lower()
    if operator in ("icontains_multi", "not_icontains_multi"):
        needles = [text(n).lower() for n in (value if isinstance(value, list) else [value])]
        hit = operator == "icontains_multi"
        return lambda person, _now: any(n in text(person).lower() for n in needles) is hit
    if operator in ("regex", "not_regex"):
        pattern = regex_compiled(text(value))
        if pattern is None:
            return None  # a pattern RE2 refuses matches nothing, for either operator (as PostHog's server)
        found = operator == "regex"
        return lambda person, _now: (pattern.search(text(person)[:MAX_REGEX_INPUT_CHARS]) is not None) is found
    if operator in NUMERIC_OPERATORS:
        numeric = _numeric_test(operator, value)
        return lambda person, _now: numeric(person)
    if operator in ("is_date_before", "is_date_after", "is_date_exact"):
        return _date_test(operator, value)
    if operator.startswith("semver_"):
        check = _semver_test(operator, value)
        return lambda person, _now: check(person)
    return None  # in / not_in (cohorts) and unknown operators never match here


def property_compile(prop: Mapping[str, Any]) -> PropertyTest:
    """One filter property against the person's properties (absent key = not set)."""
    key: Any = prop.get("key")
    operator = prop.get("operator") or "exact"
    operator = {"min": "gte", "max": "lte"}.get(operator, operator)
    negated = bool(prop.get("negation"))
    if operator in ("is_set", "is_not_set"):
        want_present = (operator == "is_set") is not negated

        def presence(properties: Mapping[str, Any], _now: datetime) -> bool:
            return (key in properties and properties[key] is not None) is want_present

        return presence
    test = _value_test(operator, prop.get("value"))
    if test is None:
        return lambda _properties, _now: negated

    def match(properties: Mapping[str, Any], now: datetime) -> bool:
        value = properties.get(key)
        if value is None:
            return negated
        return test(value, now) is not negated

    return match
