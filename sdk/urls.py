from django.conf import settings
from django.urls import re_path
from django.views.static import serve

from sdk.api.bundles import static_asset
from sdk.api.capture import capture
from sdk.api.config import remote_config
from sdk.api.flags import flags
from sdk.api.tours import product_tours

# First in config/urls.py: the public tours endpoint is the hot path (every end user's page view).
tours_urlpatterns = [re_path(r"^api/product_tours/?$", product_tours, name="public-product-tours")]

urlpatterns = [
    re_path(r"^array/(?P<token>[^/]+)/config\.js$", remote_config, {"js": True}, name="sdk-config-js"),
    re_path(r"^array/(?P<token>[^/]+)/config/?$", remote_config, name="sdk-config"),
    re_path(r"^(?:flags|decide)/?$", flags, name="sdk-flags"),
    re_path(r"^(?:e|i/v0/e|batch|capture|track|engage)/?$", capture, name="sdk-capture"),
    re_path(r"^static/(?:(?P<version>\d+\.\d+\.\d+)/)?(?P<name>[A-Za-z0-9._-]+\.js)$", static_asset),
]

if settings.SDK_TEST_PAGES_DIR:
    # Only for the end-to-end test: pages served from the same origin as the API.
    urlpatterns.append(
        re_path(r"^_test/(?P<path>[A-Za-z0-9_-]+\.html)$", serve, {"document_root": settings.SDK_TEST_PAGES_DIR})
    )
