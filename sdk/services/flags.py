"""`/flags`: PostHog's v2 flag decisions for one person of a project."""

from flags.evaluation import flag_evaluate
from flags.models import FeatureFlag
from flags.payloads import flag_payload_public
from flags.persons import person_properties_get


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
