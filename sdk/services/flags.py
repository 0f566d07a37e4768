"""`/flags`: PostHog's v2 flag decisions for one person of a project.

A project's flags are compiled once per revision on each worker (`flags.evaluation.flag_compile`:
conditions parsed, RE2 patterns compiled, payloads resolved), so a request costs the person lookup
(none when the request sends every property the conditions read) and the evaluation itself.
"""

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from core.revision_memo import RevisionMemo
from flags.evaluation import CompiledFlag, flag_compile
from flags.models import FeatureFlag
from flags.payloads import flag_payload_public
from flags.persons import person_properties_get
from sdk.http import json_bytes
from sdk.services.tokens import TokenProject

_REASONS = {
    "condition_match": "Matched condition set {n}",
    "out_of_rollout_bound": "Out of rollout bound for condition set {n}",
    "no_condition_match": "No matching condition set",
    "disabled": "Flag is disabled",
}


def _reason_description(code: str, index: int | None) -> str:
    text = _REASONS.get(code, "")
    if "{n}" in text:
        return text.format(n=index + 1) if index is not None else text.replace(" condition set {n}", " ")
    return text


@dataclass(frozen=True, slots=True)
class _Flag:
    id: int
    key: str
    version: int | None
    description: str | None
    by_device: bool
    engine: CompiledFlag
    payloads: dict[str, Any]  # variant key (or "true") -> payload as `/flags` shows it


@dataclass(frozen=True, slots=True)
class ProjectFlags:
    flags: tuple[_Flag, ...]  # by id: dependencies point at lower ids more often than not
    person_keys: frozenset  # every person property key a condition reads


def project_flags_compile(*, project_id: int) -> ProjectFlags:
    """The project's live flags a browser may evaluate (`evaluation_runtime` "server" ones are not)."""
    rows = (
        FeatureFlag.objects.filter(project_id=project_id, deleted=False)
        .exclude(evaluation_runtime=FeatureFlag.EvaluationRuntime.SERVER)
        .order_by("id")
    )
    flags = []
    for flag in rows:
        engine = flag_compile(
            {"key": flag.key, "active": flag.active, "deleted": flag.deleted, "filters": flag.filters}
        )
        payload_keys = [
            "true",
            *(v["key"] for v in flag.variants if isinstance(v, dict) and isinstance(v.get("key"), str)),
        ]
        payloads = {
            key: flag_payload_public(filters=flag.filters, key=key, encrypted=flag.has_encrypted_payloads)
            for key in payload_keys
        }
        flags.append(
            _Flag(
                id=flag.id,
                key=flag.key,
                version=flag.version,
                description=flag.name or None,
                by_device=flag.bucketing_identifier == FeatureFlag.BucketingIdentifier.DEVICE_ID,
                engine=engine,
                payloads={k: v for k, v in payloads.items() if v is not None},
            )
        )
    keys = frozenset().union(*(f.engine.person_keys for f in flags)) if flags else frozenset()
    return ProjectFlags(flags=tuple(flags), person_keys=keys)


_COMPILED = RevisionMemo()


def project_flags_get(*, project: TokenProject) -> ProjectFlags:
    return _COMPILED.get(
        project_id=project.id, revision=project.revision, build=lambda: project_flags_compile(project_id=project.id)
    )


def flags_decide(
    *,
    project: TokenProject,
    distinct_id: str,
    person_properties: dict,
    flag_keys: list[str] | None = None,
    device_id: str | None = None,
) -> dict:
    """PostHog's /flags v2 answer for the project's live flags a browser may evaluate.

    Flags bucketed by `device_id` hash the request's `$device_id` when it sends one. Encrypted payloads
    come out as PostHog's placeholder, never in clear. The person is read only when the request's
    `person_properties` do not already hold every key a condition reads (the request's values win).
    """
    compiled = project_flags_get(project=project)
    if compiled.person_keys <= person_properties.keys():
        properties = person_properties
    else:
        properties = {**person_properties_get(project_id=project.id, distinct_id=distinct_id), **person_properties}
    flags = compiled.flags
    if flag_keys is not None:
        wanted = set(flag_keys)
        flags = tuple(f for f in flags if f.key in wanted)
    now = datetime.now(UTC)
    results: dict[int, bool | str] = {}
    answer: dict[str, dict] = {}
    for flag in flags:
        result = flag.engine.evaluate(
            distinct_id=device_id if flag.by_device and device_id else distinct_id,
            properties=properties,
            flag_results=results,
            now=now,
        )
        results[flag.id] = result.value
        payload = flag.payloads.get(result.variant or "true") if result.enabled else None
        answer[flag.key] = {
            "key": flag.key,
            "enabled": result.enabled,
            "variant": result.variant,
            "reason": {
                "code": result.reason,
                "condition_index": result.condition_index,
                "description": _reason_description(result.reason, result.condition_index),
            },
            "metadata": {"id": flag.id, "version": flag.version, "payload": payload, "description": flag.description},
        }
    return {
        "flags": answer,
        # v1 keys, for older SDKs
        "featureFlags": {key: (v["variant"] or v["enabled"]) for key, v in answer.items()},
        "featureFlagPayloads": {key: v["metadata"]["payload"] for key, v in answer.items() if v["metadata"]["payload"]},
    }


def flags_decide_body(*, request_id: str, **kwargs: Any) -> bytes:
    """The `/flags` response body: `flags_decide`'s answer with PostHog's envelope keys, as JSON."""
    answer = flags_decide(**kwargs)
    return json_bytes({**answer, "errorsWhileComputingFlags": False, "requestId": request_id})
