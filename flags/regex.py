"""Flag `regex` / `not_regex` patterns on RE2: matching time is linear in the input, whatever the pattern.

Python's `re` backtracks: `^(a+)+$` against a few dozen characters keeps a worker busy for minutes, and
the pattern and the matched person properties both come from outside. RE2 has no backreferences or
lookaround, so patterns using them are refused when a flag is saved; flags stored before that evaluate
such a pattern to "no match" and log it once.
"""

import functools
import logging
import threading

import re2

logger = logging.getLogger(__name__)

# Matching sees at most this many characters of the person's value: bounds the work per condition.
MAX_REGEX_INPUT_CHARS = 10_000
# RE2's own memory budget for one compiled pattern (its default); larger patterns do not compile.
MAX_REGEX_MEMORY = 8 << 20
_MAX_REPORTED = 10_000

_reported: set[str] = set()
_reported_lock = threading.Lock()


class RegexInvalid(ValueError):
    """RE2 cannot compile the pattern; the message says why."""


def _options() -> re2.Options:
    options = re2.Options()
    # PostHog's server compiles flag patterns with re.IGNORECASE | re.DOTALL.
    options.case_sensitive = False
    options.dot_nl = True
    options.max_mem = MAX_REGEX_MEMORY
    options.log_errors = False
    return options


def _reason(exc: Exception) -> str:
    reason = exc.args[0] if exc.args else "invalid pattern"
    return reason.decode("utf-8", "replace") if isinstance(reason, bytes) else str(reason)


@functools.lru_cache(maxsize=1024)
def _compiled(pattern: str):
    """The compiled pattern, or the reason RE2 refuses it (cached either way: flags repeat patterns)."""
    try:
        return re2.compile(pattern, _options())
    except re2.error as exc:
        return RegexInvalid(_reason(exc))


def regex_validate(pattern: str) -> None:
    """Raise `RegexInvalid` when RE2 cannot compile `pattern`."""
    compiled = _compiled(pattern)
    if isinstance(compiled, RegexInvalid):
        raise RegexInvalid(str(compiled))


def regex_search(pattern: str, text: str) -> bool | None:
    """Whether `pattern` occurs in (the first `MAX_REGEX_INPUT_CHARS` characters of) `text`;
    None when RE2 cannot compile the pattern."""
    compiled = _compiled(pattern)
    if isinstance(compiled, RegexInvalid):
        _report_once(pattern, compiled)
        return None
    return compiled.search(text[:MAX_REGEX_INPUT_CHARS]) is not None


def regex_compiled(pattern: str):
    """The compiled pattern (its `search` takes at most `MAX_REGEX_INPUT_CHARS` characters, see
    `regex_search`), or None when RE2 cannot compile it (logged once)."""
    compiled = _compiled(pattern)
    if isinstance(compiled, RegexInvalid):
        _report_once(pattern, compiled)
        return None
    return compiled


def _report_once(pattern: str, error: RegexInvalid) -> None:
    with _reported_lock:
        if pattern in _reported or len(_reported) >= _MAX_REPORTED:
            return
        _reported.add(pattern)
    logger.warning("Flag regex %r cannot be compiled by RE2 (%s); it matches nothing", pattern[:200], error)
