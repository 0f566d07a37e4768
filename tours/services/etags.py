"""Entity tags of a product tour and the optional `If-Match` precondition (DESIGN.md §3.5).

The tag is derived from the tour's id and `updated_at`, which every write (draft saves included)
bumps: it changes with every write and needs nothing but the tour row, so the cheap
`draft_status` poll can hand it out too. Pure functions; the caller runs the check under the
tour's row lock so that check and write are atomic.
"""

import hashlib
from datetime import UTC, datetime
from uuid import UUID

from core.errors import PreconditionFailed
from core.etags import if_match_satisfied


def tour_etag(*, tour_id: UUID | str, updated_at: datetime) -> str:
    """A strong tag, quoted as HTTP wants it: `"<32 hex>"`."""
    stamp = updated_at.astimezone(UTC).isoformat() if updated_at.tzinfo else updated_at.isoformat()
    digest = hashlib.sha256(f"{tour_id}:{stamp}".encode()).hexdigest()[:32]
    return f'"{digest}"'


def if_match_check(*, header: str | None, etag: str) -> None:
    """No (or a blank) `If-Match` always passes: the header is optional, so PostHog's clients keep working."""
    if header is None or not header.strip():
        return
    if not if_match_satisfied(header=header, etag=etag):
        raise PreconditionFailed()
