"""Entity tags: making them, and the two preconditions (`If-None-Match` for reads, `If-Match` for writes)."""

import hashlib

from django.utils.http import parse_etags


def etag_of(*parts: object, weak: bool = False) -> str:
    """A quoted tag derived from `parts` (their text), `W/`-prefixed when `weak`."""
    digest = hashlib.blake2b("\x1f".join(map(str, parts)).encode(), digest_size=16).hexdigest()
    return f'W/"{digest}"' if weak else f'"{digest}"'


def _opaque(tag: str) -> str:
    return tag.removeprefix("W/")


def if_none_match_matches(header: str | None, *etags: str) -> bool:
    """RFC 9110 weak comparison: `*`, or any listed tag equal to one of `etags` ignoring `W/`."""
    if not header:
        return False
    candidates = parse_etags(header)
    if "*" in candidates:
        return True
    current = {_opaque(etag) for etag in etags}
    return any(_opaque(candidate) in current for candidate in candidates)


def if_match_satisfied(*, header: str, etag: str) -> bool:
    """RFC 9110 strong comparison: `*` or any listed tag equal to ours; weak tags (`W/"…"`) never match.

    A bare tag without quotes is accepted as the quoted one (hand-written curl commands drop them).
    """
    for candidate in header.split(","):
        candidate = candidate.strip()
        if candidate == "*" or candidate == etag or f'"{candidate}"' == etag:
            return True
    return False
