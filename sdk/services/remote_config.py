"""posthog-js remote config (`/array/{token}/config(.js)`): what this service implements, and whether
the project has a tour to show."""

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
