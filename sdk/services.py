"""What the SDK endpoints do: resolve the project token, build remote config, decide flags, ingest events."""

import logging
from datetime import datetime
from typing import Any

from django.db import transaction
from django.utils.dateparse import parse_datetime

from flags.evaluation import flag_evaluate
from flags.models import FeatureFlag
from flags.payloads import flag_payload_public
from flags.persons import person_events_apply, person_properties_get
from sdk.capture import events_count_check, events_within_size
from sdk.models import CapturedEvent
from tours.services.public_tours import TokenProject, public_tours_get

logger = logging.getLogger(__name__)

STORED_EVENT_PREFIXES = ("product tour", "survey ")


def remote_config_build(*, token: str, project: TokenProject) -> dict:
    """Remote config: everything this service does not implement off. `productTours` only while the
    project has a tour the SDK endpoint would return, so other sites skip loading tours altogether."""
    return {
        "token": token,
        "supportedCompression": ["gzip", "gzip-js"],
        "hasFeatureFlags": True,
        "productTours": public_tours_get(project=project).has_tours,
        "surveys": False,
        "sessionRecording": False,
        "heatmaps": False,
        "autocapture_opt_out": True,
        "capturePerformance": False,
        "autocaptureExceptions": False,
        "captureDeadClicks": False,
        "elementsChainAsString": True,
        "siteApps": [],
        "toolbarParams": {},
        "isAuthenticated": False,
        "defaultIdentifiedOnly": True,
    }


def flags_decide(
    *,
    project_id: int,
    distinct_id: str,
    person_properties: dict,
    flag_keys: list[str] | None = None,
    device_id: str | None = None,
) -> dict:
    """PostHog's /flags v2 answer for the project's live flags a browser may evaluate.

    posthog-js is PostHog's client runtime: flags with `evaluation_runtime` "server" are left out.
    Flags bucketed by `device_id` hash the request's `$device_id` when it sends one. Encrypted
    payloads come out as PostHog's placeholder, never in clear.
    """
    properties = {**person_properties_get(project_id=project_id, distinct_id=distinct_id), **person_properties}
    flags = list(
        FeatureFlag.objects.filter(project_id=project_id, deleted=False)
        .exclude(evaluation_runtime=FeatureFlag.EvaluationRuntime.SERVER)
        .order_by("id")
    )
    if flag_keys is not None:
        wanted = set(flag_keys)
        flags = [f for f in flags if f.key in wanted]
    results: dict[int, bool | str] = {}
    # Flags that depend on other flags see earlier results; dependencies point at lower ids more often
    # than not, and a missing dependency evaluates to false.
    answer: dict[str, dict] = {}
    for flag in flags:
        by_device = flag.bucketing_identifier == FeatureFlag.BucketingIdentifier.DEVICE_ID and device_id
        result = flag_evaluate(
            {"key": flag.key, "active": flag.active, "deleted": flag.deleted, "filters": flag.filters},
            distinct_id=device_id if by_device else distinct_id,
            properties=properties,
            flag_results=results,
        )
        results[flag.id] = result.value
        payload = None
        if result.enabled:
            key = result.variant or "true"
            payload = flag_payload_public(filters=flag.filters, key=key, encrypted=flag.has_encrypted_payloads)
        answer[flag.key] = {
            "key": flag.key,
            "enabled": result.enabled,
            "variant": result.variant,
            "reason": {
                "code": result.reason,
                "condition_index": result.condition_index,
                "description": _reason_description(result.reason, result.condition_index),
            },
            "metadata": {"id": flag.id, "version": flag.version, "payload": payload, "description": flag.name or None},
        }
    return {
        "flags": answer,
        # v1 keys, for older SDKs
        "featureFlags": {key: (v["variant"] or v["enabled"]) for key, v in answer.items()},
        "featureFlagPayloads": {key: v["metadata"]["payload"] for key, v in answer.items() if v["metadata"]["payload"]},
    }


def _reason_description(code: str, index: int | None) -> str:
    position = f"condition set {index + 1}" if index is not None else ""
    return {
        "condition_match": f"Matched {position}",
        "out_of_rollout_bound": f"Out of rollout bound for {position}",
        "no_condition_match": "No matching condition set",
        "disabled": "Flag is disabled",
    }.get(code, "")


def _event_distinct_id(event: dict) -> str | None:
    properties = event.get("properties") if isinstance(event.get("properties"), dict) else {}
    value = event.get("distinct_id", properties.get("distinct_id"))
    if isinstance(value, bool) or value is None or isinstance(value, (dict, list)):
        return None
    value = str(value)
    return value[:400] if value else None


def _event_timestamp(event: dict) -> datetime | None:
    value = event.get("timestamp")
    if not isinstance(value, str):
        return None
    try:
        return parse_datetime(value)
    except ValueError:
        return None


def capture_events_ingest(*, project_id: int, events: list[dict]) -> int:
    """Apply person updates and keep tour/survey events, all in one transaction. Returns how many
    events were accepted.

    More than `CAPTURE_MAX_EVENTS` events raise `TooManyEvents` before anything is applied; events
    larger than `CAPTURE_MAX_EVENT_BYTES` are dropped (counted in the log), not applied or stored.
    """
    events_count_check(events)
    named: list[tuple[str, dict]] = []
    for event in events:
        name = event.get("event")
        distinct_id = _event_distinct_id(event)
        if isinstance(name, str) and name and distinct_id is not None:
            named.append((distinct_id, event))
    accepted = events_within_size(named, project_id=project_id)
    stored = [
        CapturedEvent(
            project_id=project_id,
            event=event["event"][:400],
            distinct_id=distinct_id,
            properties=event["properties"] if isinstance(event.get("properties"), dict) else {},
            timestamp=_event_timestamp(event),
        )
        for distinct_id, event in accepted
        if event["event"].startswith(STORED_EVENT_PREFIXES)
    ]
    with transaction.atomic():
        person_events_apply(project_id=project_id, events=accepted)
        if stored:
            CapturedEvent.objects.bulk_create(stored)
    return len(accepted)
