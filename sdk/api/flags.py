"""`/flags` (and the older `/decide`): the flags posthog-js evaluates for one person."""

import uuid

from sdk.api.body import request_payload
from sdk.api.responses import malformed, method_not_allowed, preflight, token_project, too_large
from sdk.decoding import PayloadError, PayloadTooLarge
from sdk.http import PublicRequest, PublicResponse, error_response
from sdk.services.flags import flags_decide_body
from sdk.services.tokens import token_from_payload


def flags(request: PublicRequest) -> PublicResponse:
    if request.method == "OPTIONS":
        return preflight()
    if request.method not in ("POST", "GET"):
        return method_not_allowed(request)
    try:
        payload = request_payload(request) if request.method == "POST" else {}
    except PayloadTooLarge as exc:
        return too_large(str(exc))
    except PayloadError as exc:
        return malformed(str(exc))
    if not isinstance(payload, dict):
        return malformed("Body must be a JSON object.")
    token = token_from_payload(payload) or request.GET.get("token") or request.GET.get("api_key")
    project = token_project(request, token)
    if isinstance(project, PublicResponse):
        return project
    distinct_id = payload.get("distinct_id")
    if not isinstance(distinct_id, (str, int)) or isinstance(distinct_id, bool) or str(distinct_id) == "":
        return error_response(
            400, type="validation_error", code="missing_distinct_id", detail="Decide requires a distinct_id."
        )
    person_properties = payload.get("person_properties")
    flag_keys = payload.get("flag_keys")
    device_id = payload.get("$device_id")
    body = flags_decide_body(
        project=project,
        distinct_id=str(distinct_id),
        person_properties=person_properties if isinstance(person_properties, dict) else {},
        flag_keys=[k for k in flag_keys if isinstance(k, str)] if isinstance(flag_keys, list) else None,
        device_id=device_id if isinstance(device_id, str) and device_id else None,
        request_id=str(uuid.uuid4()),
    )
    return PublicResponse(body=body)
