"""The public SDK payload (`GET /api/product_tours`): building it, and remembering it per revision.

A request costs one small indexed query (`project_for_token`): the project the token belongs to and its
tours revision, which the database moves inside every transaction that writes the project's tours or
flags. The payload bytes are remembered per worker under that revision (`core.revision_memo`), so a
write is visible to every request that starts after it commits, on every worker of every instance,
and a changed or deleted token stops working at once (it is looked up on every request).
"""

import gzip
import hashlib
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any, Iterable, Mapping

from django.db import connection

from accounts.models import Project
from accounts.renderers import json_bytes
from core.revision_memo import RevisionMemo
from tours.models import ProductTour, ProjectToursRevision
from tours.services.steps import steps_normalize, tour_type

# Project.api_token is a varchar(200): anything longer cannot match, so it is refused without a query.
TOKEN_MAX_LENGTH = 200

SDK_FIELDS = (
    "id",
    "name",
    "content",
    "auto_launch",
    "start_date",
    "end_date",
    "internal_targeting_flag__key",
    "linked_flag__key",
)


@dataclass(frozen=True, slots=True)
class TokenProject:
    """The project a public token belongs to, and its tours revision as of this request."""

    id: int
    revision: int


@dataclass(frozen=True, slots=True)
class PublicTours:
    etag: str  # strong, quoted
    body: bytes
    gzip_body: bytes  # the same JSON, gzip-encoded once at fill time (browsers accept gzip)
    has_tours: bool

    @property
    def gzip_etag(self) -> str:
        """The gzip-encoded body is another representation, so it has its own strong tag."""
        return self.etag[:-1] + '-gzip"'


# --- pure -----------------------------------------------------------------------------------------


def datetime_render(value: datetime | None) -> str | None:
    """As the REST API renders dates (DRF): ISO-8601 in UTC, `+00:00` written as `Z`."""
    if value is None:
        return None
    text = value.astimezone(timezone.utc).isoformat()
    return text[:-6] + "Z" if text.endswith("+00:00") else text


def tour_sdk_serialize(*, tour: Mapping[str, Any]) -> dict[str, Any]:
    """One tour as posthog-js reads it, from a row of `SDK_FIELDS` (PostHog's ProductTourAPISerializer)."""
    content = tour["content"] if isinstance(tour["content"], dict) else {}
    steps = content.get("steps")
    item: dict[str, Any] = {
        "id": str(tour["id"]),
        "name": tour["name"],
        "tour_type": tour_type(content),
    }
    # PostHog (DRF) leaves the key out entirely when the tour has no internal flag.
    if tour["internal_targeting_flag__key"] is not None:
        item["internal_targeting_flag_key"] = tour["internal_targeting_flag__key"]
    item.update(
        {
            "linked_flag_key": tour["linked_flag__key"],
            "steps": steps_normalize(steps) if isinstance(steps, list) else [],
            "conditions": content.get("conditions"),
            "appearance": content.get("appearance"),
            "display_frequency": content.get("displayFrequency"),
            "auto_launch": tour["auto_launch"],
            "start_date": datetime_render(tour["start_date"]),
            "end_date": datetime_render(tour["end_date"]),
        }
    )
    return item


def public_tours_render(*, tours: Iterable[Mapping[str, Any]]) -> PublicTours:
    items = [tour_sdk_serialize(tour=tour) for tour in tours]
    body = json_bytes({"product_tours": items})
    etag = '"' + hashlib.blake2b(body, digest_size=16).hexdigest() + '"'
    gzip_body = gzip.compress(body, compresslevel=6, mtime=0)
    return PublicTours(etag=etag, body=body, gzip_body=gzip_body, has_tours=bool(items))


def token_plausible(token: str) -> bool:
    """False for what no project token can be; such tokens are refused without touching the database.

    `isprintable()` also rejects NUL (PostgreSQL refuses it in text) and lone surrogates (not encodable).
    """
    return 0 < len(token) <= TOKEN_MAX_LENGTH and token.isprintable()


# --- database --------------------------------------------------------------------------------------


def public_tours_select(*, project_id: int) -> list[dict[str, Any]]:
    """Launched, non-archived tours of the project (end date and auto-launch are the SDK's business).

    One query whatever the number of tours: flag keys come through joins, rows are plain dicts.
    """
    return list(
        ProductTour.objects.filter(project_id=project_id, archived=False, start_date__isnull=False)
        .order_by("created_at", "id")
        .values(*SDK_FIELDS)
    )


def token_from_payload(data: Any) -> Any:
    """The project token a decoded JSON body carries: `$token`, `token`, `api_key`, then `properties.token`.

    Returns what was sent (possibly not a string), or None.
    """
    if not isinstance(data, dict):
        return None
    for name in ("$token", "token", "api_key"):
        if data.get(name):
            return data[name]
    properties = data.get("properties")
    return properties.get("token") if isinstance(properties, dict) else None




# Plain SQL, not the ORM: this runs on every posthog-js request, and building the query would cost more
# than running it. A project without a revision row has never had a tour or flag written: revision 0.
_TOKEN_SQL = (
    f"SELECT p.id, COALESCE(r.value, 0) FROM {Project._meta.db_table} p "
    f"LEFT JOIN {ProjectToursRevision._meta.db_table} r ON r.project_id = p.id "
    "WHERE p.api_token = %s"
)


def project_for_token(token: Any) -> TokenProject | None:
    """The project whose public token this is, with its current revision; None for anything else."""
    if not isinstance(token, str):
        return None
    token = token.strip()
    if not token_plausible(token):
        return None
    with connection.cursor() as cursor:
        cursor.execute(_TOKEN_SQL, [token])
        row = cursor.fetchone()
    return TokenProject(id=row[0], revision=row[1]) if row else None


_PAYLOADS = RevisionMemo()


def public_tours_get(*, project: TokenProject) -> PublicTours:
    """The project's SDK payload as of `project.revision` (rows are read after the revision, so a value
    remembered under it is never older than it)."""
    return _PAYLOADS.get(
        project_id=project.id,
        revision=project.revision,
        build=lambda: public_tours_render(tours=public_tours_select(project_id=project.id)),
    )


def public_tours_forget() -> None:
    """Drop this worker's remembered payloads (tests; a cold start in benchmarks)."""
    _PAYLOADS.clear()
