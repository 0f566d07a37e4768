"""Rendered pages of the tour list, remembered by each worker while the project's tours revision holds.

The one cache of tour reads. A page of 100 tours with their flags is about 600 KB of JSON and costs
tens of milliseconds to read and serialize (`make bench`: the editor's list at 100 tours); an editor
reloading it unchanged gets the bytes rendered the first time. A page is keyed by its list `ETag`
(project, revision, full URL, media type), so a write of any kind, which moves the revision, is seen by
the next request on every worker. Searches are ranked on every request and not remembered.
"""

from collections.abc import Callable

from core.revision_memo import RevisionMemo

# At most 8 projects' pages per worker, each project's at most 4 MiB: 32 MiB of bodies in all.
_PAGES = RevisionMemo(limit=8)
PROJECT_BYTES = 4 * 1024 * 1024


def list_page(*, project_id: int, revision: int, key: str, render: Callable[[], bytes]) -> bytes:
    """The body remembered under `key` for the project at `revision`, or `render()` (then remembered
    while the project's pages stay within `PROJECT_BYTES`)."""
    pages: dict[str, bytes] = _PAGES.get(project_id=project_id, revision=revision, build=dict)
    body = pages.get(key)
    if body is None:
        body = render()
        if sum(map(len, pages.values())) + len(body) <= PROJECT_BYTES:
            pages[key] = body
    return body
