"""`/array/{token}/config` and `/array/{token}/config.js`: posthog-js remote config."""

import json

from django.http import HttpRequest, HttpResponse

from sdk.api.responses import error_response, json_response, method_not_allowed, preflight
from sdk.cors import cors_apply
from sdk.limits import public_rate_limited
from sdk.services.remote_config import remote_config_build
from sdk.services.tokens import project_for_token


@public_rate_limited
def remote_config(request: HttpRequest, token: str, js: bool = False) -> HttpResponse:
    if request.method == "OPTIONS":
        return preflight(request)
    if request.method != "GET":
        return method_not_allowed(request)
    project = project_for_token(token)
    if project is None:
        return error_response(request, 404, type="invalid_request", code="not_found", detail="Not found.")
    config = remote_config_build(token=token, project=project)
    if not js:
        return json_response(request, config)
    script = (
        "(function() {\n  window._POSTHOG_REMOTE_CONFIG = window._POSTHOG_REMOTE_CONFIG || {};\n"
        f"  window._POSTHOG_REMOTE_CONFIG[{json.dumps(token)}] = {{config: {json.dumps(config)}, siteApps: []}};\n"
        "})();\n"
    )
    return cors_apply(request, HttpResponse(script, content_type="application/javascript"))
