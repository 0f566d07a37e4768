import logging

from django.db import connection
from django.http import JsonResponse
from django.views.csrf import csrf_failure as django_csrf_failure
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET

from accounts.exceptions import error_body

logger = logging.getLogger(__name__)


@require_GET
def health(request):
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as exc:  # any database failure means "not healthy"
        # One line per probe, no traceback: load balancers probe every few seconds during an outage.
        first_line = next(iter(str(exc).strip().splitlines()), "")
        logger.warning("Health check: database unavailable: %s: %s", type(exc).__name__, first_line)
        return JsonResponse({"status": "error", "detail": "database unavailable"}, status=503)
    return JsonResponse({"status": "ok"})


@csrf_exempt
def api_not_found(request, *args, **kwargs):
    return JsonResponse(error_body(type="invalid_request", code="not_found", detail="Not found."), status=404)


def csrf_failure(request, reason=""):
    """API clients get the envelope; the admin keeps Django's page."""
    if request.path.startswith("/api/"):
        return JsonResponse(
            error_body(type="authentication_error", code="csrf_failed", detail=f"CSRF Failed: {reason}"), status=403
        )
    return django_csrf_failure(request, reason=reason)
