"""`/array/{token}/config` and `/array/{token}/config.js`: posthog-js remote config."""

from sdk.api.responses import method_not_allowed, preflight
from sdk.http import PublicRequest, PublicResponse, error_response
from sdk.services.remote_config import remote_config_get
from sdk.services.tokens import project_for_token


def remote_config(request: PublicRequest, token: str, js: bool = False) -> PublicResponse:
    if request.method == "OPTIONS":
        return preflight()
    if request.method != "GET":
        return method_not_allowed(request)
    project = project_for_token(token)
    if project is None:
        return error_response(404, type="invalid_request", code="not_found", detail="Not found.")
    request.log_project_id = project.id
    config = remote_config_get(token=token, project=project)
    if js:
        return PublicResponse(body=config.script, content_type="application/javascript")
    return PublicResponse(body=config.json)
