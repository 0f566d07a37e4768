"""The one JSON parser for request bodies: nesting is bounded, so deep input is a clear error, never a
`RecursionError` (a 500) and never a slow walk of a pathological document.

Every path that parses a body uses it: DRF's parsers (and so the personal API key lookup in the body),
the posthog-js decoder (`/e`, `/flags`) and the public tours endpoint.
"""

import json
from collections.abc import Callable
from typing import Any

MAX_JSON_DEPTH = 64


class JSONParseError(ValueError):
    """The text is not JSON this service accepts; the message is safe to show to the caller."""


class JSONTooDeep(JSONParseError):
    def __init__(self, limit: int = MAX_JSON_DEPTH) -> None:
        super().__init__(f"JSON is nested more than {limit} levels deep.")
        self.limit = limit


def json_depth_exceeds(value: Any, limit: int = MAX_JSON_DEPTH) -> bool:
    """Whether arrays/objects nest more than `limit` levels (`[]` is one level). Iterative: no recursion."""
    stack: list[tuple[Any, int]] = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        children = item.values() if isinstance(item, dict) else item if isinstance(item, list) else None
        if children is None:
            continue
        if depth > limit:
            return True
        stack.extend((child, depth + 1) for child in children if isinstance(child, (dict, list)))
    return False


def _cannot_nest_deeper(text: str | bytes, limit: int) -> bool:
    # Counting brackets is C-speed; most bodies have too few to nest past the limit at all.
    if isinstance(text, str):
        return text.count("[") + text.count("{") <= limit
    return text.count(b"[") + text.count(b"{") <= limit


def json_parse(
    text: str | bytes | bytearray,
    *,
    max_depth: int = MAX_JSON_DEPTH,
    parse_constant: Callable[[str], Any] | None = None,
    parse_float: Callable[[str], Any] | None = None,
) -> Any:
    """`json.loads`, refusing documents nested deeper than `max_depth` with `JSONTooDeep`.

    Any other malformed input raises `JSONParseError` (a `ValueError`) with json's own message.
    """
    if isinstance(text, bytearray):
        text = bytes(text)
    try:
        value = json.loads(text, parse_constant=parse_constant, parse_float=parse_float)
    except RecursionError:
        raise JSONTooDeep(max_depth) from None
    except UnicodeDecodeError as exc:
        raise JSONParseError(f"Body is not valid UTF-8: {exc.reason}") from None
    except ValueError as exc:  # json.JSONDecodeError and parse_constant's refusals
        raise JSONParseError(str(exc)) from None
    if not _cannot_nest_deeper(text, max_depth) and json_depth_exceeds(value, max_depth):
        raise JSONTooDeep(max_depth)
    return value
