"""OpenAPI pieces the tour views share: the search parameter, and the ETag / If-Match headers."""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter

SEARCH_DESCRIPTION = (
    "Match against product tour `name` and `description`: case-insensitive substring matches win; "
    "otherwise trigram word similarity (typos, prefixes). At most 200 characters. Each result of a searched "
    "list also carries `search_match_type`: `exact` or `similar`."
)

# Optimistic concurrency (DESIGN.md §3.5): optional, so PostHog's clients keep working without it.
IF_MATCH = OpenApiParameter(
    "If-Match",
    OpenApiTypes.STR,
    location=OpenApiParameter.HEADER,
    required=False,
    description=(
        "Optional. The `ETag` of the tour as last read; when it no longer matches (someone else wrote "
        "since), nothing is changed and the answer is 412. `*` always matches."
    ),
)


def etag_header(*codes: int) -> OpenApiParameter:
    return OpenApiParameter(
        "ETag",
        OpenApiTypes.STR,
        location=OpenApiParameter.HEADER,
        response=list(codes),
        description="Version of the tour (changes with every write); send it back as `If-Match`.",
    )
