import os

from django.core.wsgi import get_wsgi_application
from django.urls import Resolver404, resolve

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
django_application = get_wsgi_application()

# The endpoints posthog-js calls on every page view take the lean path in front of Django (sdk/gateway.py).
from sdk.gateway import PublicGateway  # noqa: E402  (needs the apps loaded above)

application = PublicGateway(django_application)


def _warm() -> None:
    """Import every view and compile the URL patterns now, in the process that loads the application
    (gunicorn's master with `preload_app`), so that forked workers do not do it on a first request."""
    for path in ("/api/projects/0/product_tours/0/warm/", "/admin/warm/", "/warm/"):
        try:
            resolve(path)
        except Resolver404:
            pass


_warm()
