"""Where imported tours come from: a PostHog project over its REST API, or an export file.

Both give tours as the REST API renders them and linked flags by their (source) id, so one import
(`tours.services.transfer.importing`) serves `import_posthog` and `import_tours`.
"""

import json
from collections.abc import Callable
from typing import Any, Protocol

from tours.services.transfer.posthog_client import PostHogClient, SourceError, path_segment

EXPORT_VERSION = 1
PAGE_SIZE = 100  # PostHog's default page; `next` links lead to the rest


class Source(Protocol):
    def tours(self) -> list[dict]:
        """Every tour of the source project (archived ones too), as the REST API renders them."""

    def flag(self, flag_id: int) -> dict | None:
        """A feature flag of the source project by its id there; None when the source has none."""


class PostHogSource:
    """`GET /api/projects/{id}/product_tours/` (all pages) and `GET …/feature_flags/{id}/`."""

    def __init__(
        self,
        *,
        client: PostHogClient,
        project_id: str,
        on_page: Callable[[int], None] | None = None,
        page_size: int = PAGE_SIZE,
    ):
        self._client = client
        self._page_size = page_size
        self._base = f"/api/projects/{path_segment(project_id)}"
        self._on_page = on_page or (lambda count: None)
        self._flags: dict[int, dict | None] = {}

    def tours(self) -> list[dict]:
        tours: list[dict] = []
        for page in self._client.pages(f"{self._base}/product_tours/?limit={int(self._page_size)}"):
            tours.extend(page)
            self._on_page(len(tours))
        return tours

    def flag(self, flag_id: int) -> dict | None:
        if flag_id not in self._flags:
            self._flags[flag_id] = self._client.object(f"{self._base}/feature_flags/{int(flag_id)}/")
        return self._flags[flag_id]


class FileSource:
    """An `export_tours` document: `{"version": 1, "tours": [...], "flags": [...]}`."""

    def __init__(self, document: dict):
        self._tours = document["tours"]
        self._flags = {flag["id"]: flag for flag in document["flags"] if isinstance(flag, dict) and "id" in flag}

    def tours(self) -> list[dict]:
        return list(self._tours)

    def flag(self, flag_id: int) -> dict | None:
        return self._flags.get(flag_id)


def export_document_read(text: str | bytes) -> FileSource:
    """Parse an export file; a `SourceError` saying what is wrong when it is not one."""
    try:
        document: Any = json.loads(text)
    except ValueError as error:
        raise SourceError(f"the file is not JSON ({error})") from None
    except RecursionError:
        raise SourceError("the file is not JSON (nested too deeply)") from None
    if not isinstance(document, dict) or "tours" not in document:
        raise SourceError(
            'the file is not an export_tours file (expected {"version": 1, "tours": [...], "flags": [...]})'
        )
    if document.get("version") != EXPORT_VERSION:
        raise SourceError(f"unsupported export file version {document.get('version')!r} (this service reads version 1)")
    if not isinstance(document["tours"], list) or not isinstance(document.get("flags", []), list):
        raise SourceError('"tours" and "flags" must be lists')
    return FileSource({"tours": document["tours"], "flags": document.get("flags", [])})
