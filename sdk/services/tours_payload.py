"""The public SDK payload (`GET /api/product_tours`): building it, and remembering it per revision.

The payload bytes are remembered per worker under the project's tours revision, read with the token
(`sdk.services.tokens`), so a write is visible to every request that starts after it commits, on every
worker of every instance.
"""

import gzip
import hashlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from core.renderers import datetime_render, json_bytes
from core.revision_memo import RevisionMemo
from sdk.services.tokens import TokenProject
from tours.models import ProductTour
from tours.services.steps import steps_normalize, tour_type

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
