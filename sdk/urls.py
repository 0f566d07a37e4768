from django.conf import settings
from django.urls import re_path
from django.views.static import serve

from sdk import views

urlpatterns = [
    re_path(r"^array/(?P<token>[^/]+)/config\.js$", views.remote_config, {"js": True}, name="sdk-config-js"),
    re_path(r"^array/(?P<token>[^/]+)/config/?$", views.remote_config, name="sdk-config"),
    re_path(r"^(?:flags|decide)/?$", views.flags, name="sdk-flags"),
    re_path(r"^(?:e|i/v0/e|batch|capture|track|engage)/?$", views.capture, name="sdk-capture"),
    re_path(r"^static/(?:(?P<version>\d+\.\d+\.\d+)/)?(?P<name>[A-Za-z0-9._-]+\.js)$", views.static_asset),
]

if settings.SDK_TEST_PAGES_DIR:
    # Only for the end-to-end test: pages served from the same origin as the API.
    urlpatterns.append(
        re_path(r"^_test/(?P<path>[A-Za-z0-9_-]+\.html)$", serve, {"document_root": settings.SDK_TEST_PAGES_DIR})
    )
