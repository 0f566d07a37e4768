from django.conf import settings
from django.urls import re_path
from django.views.static import serve

from sdk.api.bundles import static_asset

# The endpoints posthog-js calls on every page view (`/api/product_tours`, `/array/…/config(.js)`,
# `/flags`, `/e`, …) are not Django routes: the lean path in front of Django serves them (sdk/gateway.py).
urlpatterns = [
    re_path(r"^static/(?:(?P<version>\d+\.\d+\.\d+)/)?(?P<name>[A-Za-z0-9._-]+\.js)$", static_asset),
]

if settings.SDK_TEST_PAGES_DIR:
    # Only for the end-to-end test: pages served from the same origin as the API.
    urlpatterns.append(
        re_path(r"^_test/(?P<path>[A-Za-z0-9_-]+\.html)$", serve, {"document_root": settings.SDK_TEST_PAGES_DIR})
    )
