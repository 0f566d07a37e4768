"""`export_tours`: a project's tours as the REST API renders them, with the flags they link to.

`{"version": 1, "tours": [...], "flags": [...]}`: tours as `GET …/product_tours/` lists them (archived
ones too, newest first), flags as `GET …/feature_flags/{id}/` renders them — the linked flags (also
those drafts link to) and every flag their conditions depend on. So a file reads back exactly like
the REST API of another instance (`tours.services.transfer.sources.FileSource`).
"""

import json
from typing import Any

from rest_framework.renderers import JSONRenderer

from accounts.models import Project
from flags.models import FeatureFlag
from flags.serializers import FeatureFlagSerializer
from tours.models import ProductTour
from tours.serializers import ProductTourSerializer
from tours.services.transfer.matching import flag_dependency_ids, linked_flag_ids
from tours.services.transfer.sources import EXPORT_VERSION


def _plain(data: Any) -> Any:
    """What a client decodes from the API's JSON (dates as the API writes them)."""
    return json.loads(JSONRenderer().render(data))


def _flags_with_dependencies(*, project: Project, flag_ids: list[int]) -> list[FeatureFlag]:
    found: dict[int, FeatureFlag] = {}
    pending = set(flag_ids)
    while pending:
        batch = FeatureFlag.objects.filter(project=project, pk__in=pending).select_related(
            "created_by", "last_modified_by"
        )
        pending = set()
        for flag in batch:
            found[flag.pk] = flag
            pending.update(flag_dependency_ids(flag.filters))
        pending -= set(found)
    return [found[flag_id] for flag_id in sorted(found)]


def _with_payloads(rendered: dict, flag: FeatureFlag | None) -> dict:
    """Filters with secret payloads in clear, as a personal API key reads them (the serializers show
    sessions, and renderings without a request, a placeholder): a backup must hold the real values."""
    if rendered is not None and flag is not None and flag.has_encrypted_payloads:
        rendered["filters"] = _plain(flag.filters)
    return rendered


def _tour_render(tour: ProductTour) -> dict:
    rendered = _plain(ProductTourSerializer(tour).data)
    for name in ("internal_targeting_flag", "linked_flag"):
        _with_payloads(rendered[name], getattr(tour, name))
    return rendered


def tours_export(*, project: Project) -> dict[str, Any]:
    tours = (
        ProductTour.objects.filter(project=project)
        .select_related("internal_targeting_flag", "linked_flag", "created_by")
        .order_by("-created_at", "id")
    )
    rendered = [_tour_render(tour) for tour in tours]
    flags = _flags_with_dependencies(project=project, flag_ids=linked_flag_ids(rendered))
    return {
        "version": EXPORT_VERSION,
        "tours": rendered,
        "flags": [_with_payloads(_plain(FeatureFlagSerializer(flag).data), flag) for flag in flags],
    }
