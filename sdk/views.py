"""The endpoints posthog-js calls besides /api/product_tours: remote config, /flags, capture, bundles."""

import json
import logging
import uuid
from urllib.parse import urlencode

from django.http import FileResponse, HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.csrf import csrf_exempt

from accounts.exceptions import error_body
from sdk.assets import POSTHOG_JS_VERSION, asset_path
from sdk.capture import TooManyEvents
from sdk.decoding import PayloadError, PayloadTooLarge, payload_decode
from sdk.services import capture_events_ingest, flags_decide, remote_config_build
from core.cors import cors_apply
from core.public_limits import public_rate_limited
from tours.public import INVALID_TOKEN_DETAIL, MISSING_TOKEN_DETAIL
from tours.services.public_tours import project_for_token, token_from_payload

logger = logging.getLogger(__name__)


def _json(request: HttpRequest, body: dict, status: int = 200) -> HttpResponse:
    return cors_apply(request, JsonResponse(body, status=status))


def _error(request: HttpRequest, status: int, *, type: str, code: str, detail: str) -> HttpResponse:
    return _json(request, error_body(type=type, code=code, detail=detail), status=status)


def _too_large(request: HttpRequest, detail: str) -> HttpResponse:
    return _error(request, 413, type="invalid_request", code="request_too_large", detail=detail)


def _preflight(request: HttpRequest) -> HttpResponse:
    return cors_apply(request, HttpResponse(status=200))


def _method_not_allowed(request: HttpRequest) -> HttpResponse:
    return _error(
        request, 405, type="invalid_request", code="method_not_allowed", detail=f'Method "{request.method}" not allowed.'
    )


def _decode(request: HttpRequest):
    return payload_decode(
        request.body,
        content_type=request.content_type or "",
        compression=request.GET.get("compression"),
    )


@public_rate_limited
def remote_config(request: HttpRequest, token: str, js: bool = False) -> HttpResponse:
    if request.method == "OPTIONS":
        return _preflight(request)
    if request.method != "GET":
        return _method_not_allowed(request)
    project = project_for_token(token)
    if project is None:
        return _error(request, 404, type="invalid_request", code="not_found", detail="Not found.")
    config = remote_config_build(token=token, project=project)
    if not js:
        return _json(request, config)
    script = (
        "(function() {\n  window._POSTHOG_REMOTE_CONFIG = window._POSTHOG_REMOTE_CONFIG || {};\n"
        f"  window._POSTHOG_REMOTE_CONFIG[{json.dumps(token)}] = {{config: {json.dumps(config)}, siteApps: []}};\n"
        "})();\n"
    )
    return cors_apply(request, HttpResponse(script, content_type="application/javascript"))


@csrf_exempt
@public_rate_limited
def flags(request: HttpRequest) -> HttpResponse:
    if request.method == "OPTIONS":
        return _preflight(request)
    if request.method not in ("POST", "GET"):
        return _method_not_allowed(request)
    try:
        payload = _decode(request) if request.method == "POST" else {}
    except PayloadTooLarge as exc:
        return _too_large(request, str(exc))
    except PayloadError as exc:
        return _error(request, 400, type="validation_error", code="malformed_data", detail=str(exc))
    if not isinstance(payload, dict):
        return _error(request, 400, type="validation_error", code="malformed_data", detail="Body must be a JSON object.")
    token = token_from_payload(payload) or request.GET.get("token") or request.GET.get("api_key")
    if not token:
        return _error(request, 401, type="authentication_error", code="missing_api_key", detail=MISSING_TOKEN_DETAIL)
    project = project_for_token(token)
    if project is None:
        return _error(request, 401, type="authentication_error", code="invalid_api_key", detail=INVALID_TOKEN_DETAIL)
    project_id = project.id
    distinct_id = payload.get("distinct_id")
    if not isinstance(distinct_id, (str, int)) or isinstance(distinct_id, bool) or str(distinct_id) == "":
        return _error(
            request, 400, type="validation_error", code="missing_distinct_id", detail="Decide requires a distinct_id."
        )
    person_properties = payload.get("person_properties")
    flag_keys = payload.get("flag_keys")
    device_id = payload.get("$device_id")
    results = flags_decide(
        project_id=project_id,
        distinct_id=str(distinct_id),
        person_properties=person_properties if isinstance(person_properties, dict) else {},
        flag_keys=[k for k in flag_keys if isinstance(k, str)] if isinstance(flag_keys, list) else None,
        device_id=device_id if isinstance(device_id, str) and device_id else None,
    )
    return _json(request, {**results, "errorsWhileComputingFlags": False, "requestId": str(uuid.uuid4())})


@csrf_exempt
@public_rate_limited
def capture(request: HttpRequest) -> HttpResponse:
    if request.method == "OPTIONS":
        return _preflight(request)
    if request.method not in ("POST", "GET"):
        return _method_not_allowed(request)
    try:
        if request.method == "GET":
            data = request.GET.get("data", "")
            form = urlencode({"data": data}).encode()
            payload = payload_decode(form, content_type="application/x-www-form-urlencoded") if data else {}
        else:
            payload = _decode(request)
    except PayloadTooLarge as exc:
        return _too_large(request, str(exc))
    except PayloadError as exc:
        return _error(request, 400, type="validation_error", code="malformed_data", detail=str(exc))
    if isinstance(payload, list):
        payload = {"batch": payload}
    if not isinstance(payload, dict):
        return _error(request, 400, type="validation_error", code="malformed_data", detail="Body must be a JSON object.")
    events = payload.get("batch") if "batch" in payload else [payload]
    if not isinstance(events, list) or not all(isinstance(e, dict) for e in events):
        return _error(request, 400, type="validation_error", code="malformed_data", detail="Events must be objects.")
    token = token_from_payload(payload) or next(
        (token_from_payload(e.get("properties") or {}) or token_from_payload(e) for e in events if e), None
    )
    if not token:
        return _error(request, 401, type="authentication_error", code="missing_api_key", detail=MISSING_TOKEN_DETAIL)
    project = project_for_token(token)
    if project is None:
        return _error(request, 401, type="authentication_error", code="invalid_api_key", detail=INVALID_TOKEN_DETAIL)
    project_id = project.id
    try:
        capture_events_ingest(project_id=project_id, events=events)
    except TooManyEvents as exc:
        return _too_large(request, str(exc))
    return _json(request, {"status": 1})


def static_asset(request: HttpRequest, name: str, version: str | None = None) -> HttpResponse:
    path = asset_path(name)
    if path is None:
        return HttpResponse(status=404)
    response = FileResponse(open(path, "rb"), content_type="application/javascript")
    # Versioned URLs never change; the unversioned ones follow upgrades.
    immutable = version == POSTHOG_JS_VERSION
    response["Cache-Control"] = "public, max-age=31536000, immutable" if immutable else "public, max-age=300"
    return cors_apply(request, response)
