"""Entity tags of a product tour and the optional `If-Match` precondition (DESIGN.md §3.5).

The tag is derived from the tour's id and `updated_at`, which every write (draft saves included)
bumps: it changes with every write and needs nothing but the tour row, so the cheap
`draft_status` poll can hand it out too. Pure functions; the caller runs the check under the
tour's row lock so that check and write are atomic.
"""

import hashlib
from datetime import UTC, datetime
from typing import Any, Mapping
from uuid import UUID

from accounts.exceptions import PreconditionFailed


def tour_etag(*, tour_id: UUID | str, updated_at: datetime) -> str:
    """A strong tag, quoted as HTTP wants it: `"<32 hex>"`."""
    stamp = updated_at.astimezone(UTC).isoformat() if updated_at.tzinfo else updated_at.isoformat()
    digest = hashlib.sha256(f"{tour_id}:{stamp}".encode()).hexdigest()[:32]
    return f'"{digest}"'


def tour_etag_of(representation: Mapping[str, Any]) -> str:
    """The ETag of a tour as the API represents it (`updated_at` rendered as ISO-8601)."""
    return tour_etag(tour_id=representation["id"], updated_at=datetime.fromisoformat(representation["updated_at"]))


def if_match_satisfied(*, header: str, etag: str) -> bool:
    """RFC 9110 strong comparison: `*` or any listed tag equal to ours; weak tags (`W/"…"`) never match.

    A bare tag without quotes is accepted as the quoted one (hand-written curl commands drop them).
    """
    for candidate in header.split(","):
        candidate = candidate.strip()
        if candidate == "*" or candidate == etag or f'"{candidate}"' == etag:
            return True
    return False


def if_match_check(*, header: str | None, etag: str) -> None:
    """No (or a blank) `If-Match` always passes: the header is optional, so PostHog's clients keep working."""
    if header is None or not header.strip():
        return
    if not if_match_satisfied(header=header, etag=etag):
        raise PreconditionFailed()
