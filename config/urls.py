from django.conf import settings
from django.contrib import admin
from django.urls import include, path, re_path
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerView

from config.views import api_not_found, health

api_patterns = [
    path("", include("accounts.urls")),
    path("", include("activity.urls")),
    path("", include("flags.urls")),
    path("", include("tours.urls")),
]

urlpatterns = [
    path("_health", health, name="health"),
    path("admin/", admin.site.urls),
    re_path(r"^api/schema/?$", SpectacularAPIView.as_view(), name="schema"),
    re_path(r"^api/docs/?$", SpectacularSwaggerView.as_view(url_name="schema"), name="swagger-ui"),
    re_path(
        r"^api/redoc/?$",
        # The stock template loads Google Fonts; ours serves every asset locally.
        SpectacularRedocView.as_view(url_name="schema", template_name="api_docs/redoc.html"),
        name="redoc",
    ),
    path("api/", include(api_patterns)),
    path("", include("sdk.urls")),
    re_path(r"^api(/.*)?$", api_not_found),
]

if settings.BENCH_FLOOR_VIEW:  # `make bench`: the floor scenario (bench/views.py)
    from bench.views import floor

    urlpatterns.insert(0, path("_bench/floor", floor))
