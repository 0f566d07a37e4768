"""Pure functions of an import: read a source tour (as PostHog's REST API renders it), turn it into
the API input this service validates, and map source ids (flags, surveys) to local ones."""

import uuid
from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any

from flags.services.dependencies import flag_dependency_refs, flag_ref_to_id

# What a tour's input carries: the write fields of the REST API, minus `creation_context` (analytics only).
TOUR_INPUT_FIELDS = ("name", "description", "content", "auto_launch", "start_date", "end_date", "archived")
# The flag fields an import copies (the key is how flags are matched; id, version and dates stay local).
FLAG_INPUT_FIELDS = (
    "name",
    "filters",
    "active",
    "ensure_experience_continuity",
    "has_encrypted_payloads",
    "evaluation_runtime",
    "bucketing_identifier",
)
SURVEY_LINK_KEYS = ("linkedSurveyId", "linkedSurveyQuestionId")


def source_tour_id(tour: Mapping[str, Any]) -> uuid.UUID | None:
    try:
        return uuid.UUID(str(tour.get("id")))
    except ValueError:
        return None


def datetime_parse(value: Any) -> datetime | None:
    if not isinstance(value, str):
        return None
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        return None
    return parsed if parsed.tzinfo is not None else None


def tours_oldest_first(tours: Iterable[Mapping[str, Any]]) -> list[Mapping[str, Any]]:
    """Unique by id (a page boundary shifting mid-read can repeat one), oldest first as they were made."""
    unique: dict[Any, Mapping[str, Any]] = {}
    for tour in tours:
        if isinstance(tour, Mapping):
            unique.setdefault(tour.get("id"), tour)
    listed = list(unique.values())
    dated = [(datetime_parse(tour.get("created_at")), index, tour) for index, tour in enumerate(reversed(listed))]
    return [tour for _, _, tour in sorted(dated, key=lambda item: (item[0] is None, item[0] or 0, item[1]))]


def _flag_id(value: Any) -> int | None:
    if isinstance(value, bool) or not isinstance(value, int):
        return None
    return value


def source_linked_flag_id(tour: Mapping[str, Any]) -> int | None:
    linked = tour.get("linked_flag")
    if isinstance(linked, Mapping):
        return _flag_id(linked.get("id"))
    return _flag_id(tour.get("linked_flag_id"))


def source_draft_flag_id(tour: Mapping[str, Any]) -> int | None:
    draft = tour.get("draft_content")
    return _flag_id(draft.get("linked_flag_id")) if isinstance(draft, Mapping) else None


def linked_flag_ids(tours: Iterable[Mapping[str, Any]]) -> list[int]:
    """Ids of the flags tours (and their drafts) link to, each once."""
    ids = (flag_id for tour in tours for flag_id in (source_linked_flag_id(tour), source_draft_flag_id(tour)))
    return list(dict.fromkeys(flag_id for flag_id in ids if flag_id is not None))


def source_has_targeting_flag(tour: Mapping[str, Any]) -> bool:
    """The source tour has a live internal targeting flag (which also holds its targeting when auto-launch is off)."""
    flag = tour.get("internal_targeting_flag")
    return isinstance(flag, Mapping) and not flag.get("deleted")


def source_targeting(tour: Mapping[str, Any]) -> Any:
    """The user's targeting groups: `targeting_flag_filters` as the API shows them, else the flag's filters.

    System-managed properties in them (PostHog shows some) are stripped by the targeting sync, which
    recognises them by the tour's id: ids are kept, so they match.
    """
    if "targeting_flag_filters" in tour:
        return tour.get("targeting_flag_filters")
    flag = tour.get("internal_targeting_flag")
    return flag.get("filters") if isinstance(flag, Mapping) else None


def flag_dependency_ids(filters: Any) -> list[int]:
    """Ids of the flags a flag's conditions depend on (`flag` properties)."""
    ids = [flag_ref_to_id(ref) for ref in flag_dependency_refs(filters)]
    return [flag_id for flag_id in dict.fromkeys(ids) if flag_id is not None]


def flag_filters_remap(filters: Any, flag_ids: Mapping[int, int]) -> Any:
    """Filters with every flag dependency pointing at the local flag (source id → local id).

    A reference without a local flag is left as it is; the flag validator then reports it.
    """
    if not isinstance(filters, Mapping) or not isinstance(filters.get("groups"), list):
        return filters
    groups = []
    for group in filters["groups"]:
        properties = group.get("properties") if isinstance(group, Mapping) else None
        if not isinstance(properties, list):
            groups.append(group)
            continue
        remapped = []
        for prop in properties:
            local_id = None
            if isinstance(prop, Mapping) and prop.get("type") == "flag":
                source_id = flag_ref_to_id(prop.get("key"))
                local_id = flag_ids.get(source_id) if source_id is not None else None
            remapped.append({**prop, "key": str(local_id)} if local_id is not None else prop)
        groups.append({**group, "properties": remapped})
    return {**filters, "groups": groups}


def flag_input_build(flag: Mapping[str, Any], *, filters: Any) -> dict[str, Any]:
    """A flag's API input from its source representation (`filters` already remapped)."""
    data: dict[str, Any] = {"key": flag.get("key"), "filters": filters}
    for field in FLAG_INPUT_FIELDS:
        if field != "filters" and field in flag:
            data[field] = flag[field]
    if data.get("name") is None:
        data["name"] = ""
    return data


def _steps(content: Any) -> list:
    steps = content.get("steps") if isinstance(content, Mapping) else None
    return steps if isinstance(steps, list) else []


def content_surveys_remap(content: Any, *, local_content: Any) -> Any:
    """The source content with survey links pointing at this tour's local surveys.

    Survey ids are the source's. A survey step keeps the local survey of the local step with the same
    step id (else at the same position) so re-imports reuse it; without one the link is dropped and
    the survey sync creates a survey here. Steps without a survey carry no link (the sync drops it).
    """
    steps = _steps(content)
    if not steps:
        return content
    local_steps = [step for step in _steps(local_content) if isinstance(step, Mapping)]
    local_by_id = {step["id"]: step for step in local_steps if isinstance(step.get("id"), str)}
    remapped = []
    for index, step in enumerate(steps):
        if not isinstance(step, Mapping):
            remapped.append(step)
            continue
        unlinked = {key: value for key, value in step.items() if key not in SURVEY_LINK_KEYS}
        local = local_by_id.get(step.get("id")) if isinstance(step.get("id"), str) else None
        if local is None and index < len(local_steps) and "id" not in step:
            local = local_steps[index]
        if step.get("survey") is not None and local is not None and local.get("linkedSurveyId"):
            unlinked.update({key: local[key] for key in SURVEY_LINK_KEYS if key in local})
        remapped.append(unlinked)
    return {**content, "steps": remapped}


def tour_input_build(tour: Mapping[str, Any], *, linked_flag_id: int | None, local_content: Any) -> dict[str, Any]:
    """What a client would send to create or PUT this tour here (validated like any API request)."""
    data: dict[str, Any] = {field: tour.get(field) for field in TOUR_INPUT_FIELDS}
    data["description"] = data["description"] or ""
    data["auto_launch"] = bool(data["auto_launch"])
    data["archived"] = bool(data["archived"])
    data["content"] = content_surveys_remap(data["content"], local_content=local_content)
    data["linked_flag_id"] = linked_flag_id
    data["targeting_flag_filters"] = source_targeting(tour)
    return data


def draft_input_build(draft: Any, *, linked_flag_id: int | None, local_content: Any) -> Any:
    """The source draft with its linked flag and survey links mapped to local ones (None: no draft)."""
    if not isinstance(draft, Mapping):
        return draft
    mapped = dict(draft)
    if "linked_flag_id" in mapped:
        mapped["linked_flag_id"] = linked_flag_id
    if "content" in mapped:
        mapped["content"] = content_surveys_remap(mapped["content"], local_content=local_content)
    return mapped
