"""`/static/…js`: the pinned posthog-js bundles (sdk/assets.py)."""

from django.http import FileResponse, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase

from sdk.assets import POSTHOG_JS_VERSION, asset_path
from sdk.cors import cors_apply


def static_asset(request: HttpRequest, name: str, version: str | None = None) -> HttpResponseBase:
    path = asset_path(name)
    if path is None:
        return HttpResponse(status=404)
    response = FileResponse(open(path, "rb"), content_type="application/javascript")
    # Versioned URLs never change; the unversioned ones follow upgrades.
    immutable = version == POSTHOG_JS_VERSION
    response["Cache-Control"] = "public, max-age=31536000, immutable" if immutable else "public, max-age=300"
    return cors_apply(request, response)
