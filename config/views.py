import logging

from django.db import connection
from django.http import JsonResponse
from django.views.csrf import csrf_failure as django_csrf_failure
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET

from core.exceptions import error_response
from core.shared_store import store_ping

logger = logging.getLogger(__name__)


def _database_ok() -> bool:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as exc:  # any database failure means "not healthy"
        # One line per probe, no traceback: load balancers probe every few seconds during an outage.
        first_line = next(iter(str(exc).strip().splitlines()), "")
        logger.warning("Health check: database unavailable: %s: %s", type(exc).__name__, first_line)
        return False
    return True


@require_GET
def health(request):
    """200 while the database answers; a shared store that does not answer only degrades (rate limits
    fail open), so load balancers keep the instance. 503 when the database does not answer."""
    database = _database_ok()
    cache = store_ping()
    checks = {"database": "ok" if database else "unavailable", "cache": "ok" if cache else "unavailable"}
    if not database:
        return JsonResponse({"status": "unavailable", "checks": checks}, status=503)
    return JsonResponse({"status": "ok" if cache else "degraded", "checks": checks})


@csrf_exempt
def api_not_found(request, *args, **kwargs):
    return error_response(404, type="invalid_request", code="not_found", detail="Not found.")


def csrf_failure(request, reason=""):
    """API clients get the envelope; the admin keeps Django's page."""
    if request.path.startswith("/api/"):
        return error_response(403, type="authentication_error", code="csrf_failed", detail=f"CSRF Failed: {reason}")
    return django_csrf_failure(request, reason=reason)
