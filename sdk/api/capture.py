"""`/e` (and PostHog's other capture paths): events posthog-js sends."""

from sdk.api.body import request_payload
from sdk.api.responses import malformed, method_not_allowed, preflight, token_project, too_large
from sdk.decoding import PayloadError, PayloadTooLarge
from sdk.http import PublicRequest, PublicResponse
from sdk.services.capture import TooManyEvents, capture_events_ingest
from sdk.services.tokens import token_from_payload

OK_BODY = b'{"status":1}'


def capture(request: PublicRequest) -> PublicResponse:
    if request.method == "OPTIONS":
        return preflight()
    if request.method not in ("POST", "GET"):
        return method_not_allowed(request)
    try:
        payload = request_payload(request)
    except PayloadTooLarge as exc:
        return too_large(str(exc))
    except PayloadError as exc:
        return malformed(str(exc))
    if isinstance(payload, list):
        payload = {"batch": payload}
    if not isinstance(payload, dict):
        return malformed("Body must be a JSON object.")
    events = payload.get("batch") if "batch" in payload else [payload]
    if not isinstance(events, list) or not all(isinstance(e, dict) for e in events):
        return malformed("Events must be objects.")
    token = token_from_payload(payload) or next(
        (token_from_payload(e.get("properties") or {}) or token_from_payload(e) for e in events if e), None
    )
    project = token_project(request, token)
    if isinstance(project, PublicResponse):
        return project
    try:
        capture_events_ingest(project_id=project.id, events=events)
    except TooManyEvents as exc:
        return too_large(str(exc))
    return PublicResponse(body=OK_BODY)
