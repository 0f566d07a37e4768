"""posthog-js remote config (`/array/{token}/config(.js)`): what this service implements, and whether
the project has a tour to show. Rendered once per project revision and token, on each worker."""

import json
from dataclasses import dataclass

from core.revision_memo import RevisionMemo
from sdk.services.tokens import TokenProject
from sdk.services.tours_payload import public_tours_get


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


@dataclass(frozen=True, slots=True)
class RemoteConfig:
    json: bytes  # `/config`
    script: bytes  # `/config.js`


def remote_config_render(*, token: str, project: TokenProject) -> RemoteConfig:
    config = remote_config_build(token=token, project=project)
    script = (
        "(function() {\n  window._POSTHOG_REMOTE_CONFIG = window._POSTHOG_REMOTE_CONFIG || {};\n"
        f"  window._POSTHOG_REMOTE_CONFIG[{json.dumps(token)}] = {{config: {json.dumps(config)}, siteApps: []}};\n"
        "})();\n"
    )
    return RemoteConfig(json=json.dumps(config, separators=(",", ":")).encode(), script=script.encode())


_CONFIGS = RevisionMemo()


def remote_config_get(*, token: str, project: TokenProject) -> RemoteConfig:
    """The rendered config as of `project.revision` (the token is part of the key: a rotated token
    is a different config)."""
    return _CONFIGS.get(
        project_id=project.id,
        revision=(project.revision, token),
        build=lambda: remote_config_render(token=token, project=project),
    )


def remote_configs_forget() -> None:
    _CONFIGS.clear()
