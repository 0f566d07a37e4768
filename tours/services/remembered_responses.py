"""Whole tour read responses, remembered per worker until the project's tours revision moves.

A page of tours (the list without `search`) and a single tour (retrieve) show nothing but rows of the
project's tours, their flags and their creators. Database triggers draw a new project revision
(`tours.models.ProjectToursRevision`) in every transaction that changes one of those rows, whoever
writes it. The revision is read with the project, in the query every project-scoped request makes to
check membership; so a request whose key — project, revision, what was asked, how it is rendered — was
answered before by this worker gets the same bytes again, with no further query.

Authentication, scopes and membership are still checked on every request, before this is consulted.
Searched lists are not remembered: terms rarely repeat, and their pages would push out the ones that do.
"""

from collections.abc import Callable, Hashable

from django.http import HttpResponse
from rest_framework.response import Response

from accounts.recent import RecentItems

BYTES_KEPT = 32 * 1024 * 1024  # per worker
MAX_KEY_CHARS = 2048  # longer requests (URLs) are answered, not remembered
ENTRY_OVERHEAD = MAX_KEY_CHARS  # counted per entry: keys and headers are not free
# key → (body, headers, Content-Type)
_RESPONSES = RecentItems(BYTES_KEPT, weigh=lambda entry: len(entry[0]) + ENTRY_OVERHEAD)


def remembered_clear() -> None:
    _RESPONSES.clear()


def remembered_response(
    *, key: Hashable | None, build: Callable[[], Response], render: Callable[[Response], tuple[bytes, str]]
) -> HttpResponse:
    """The response remembered under `key`, else `build()`'s, remembered (as `render` writes it: body and
    Content-Type) when 200. Either way the answer is the stored bytes as they are, not rendered again.

    `key` is None when the request cannot be remembered (another renderer than the JSON one); a key
    longer than `MAX_KEY_CHARS` (as text) is not remembered either."""
    if key is None or len(str(key)) > MAX_KEY_CHARS:
        return build()
    hit = _RESPONSES.get(key)
    if hit is None:
        response = build()
        if response.status_code != 200:
            return response
        body, content_type = render(response)
        headers = {name: response[name] for name in ("ETag",) if response.has_header(name)}
        hit = (body, headers, content_type)
        _RESPONSES.store(key, hit)
    body, headers, content_type = hit
    return HttpResponse(body, content_type=content_type, headers=headers)
