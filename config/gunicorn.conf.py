"""gunicorn settings; HOST, PORT, WEB_CONCURRENCY, GUNICORN_TIMEOUT, GUNICORN_GRACEFUL_TIMEOUT, GUNICORN_MAX_REQUESTS
and GUNICORN_ACCESS_LOG come from the environment."""

import os

from gunicorn.glogging import Logger

from core.log_format import secrets_redact  # no Django imports: safe in the master

bind = f"{os.environ.get('HOST', '127.0.0.1')}:{os.environ.get('PORT', '8000')}"
workers = int(os.environ.get("WEB_CONCURRENCY", "2"))
# A worker silent for `timeout` seconds is killed and replaced (a stuck request gets a 502 from the proxy,
# the other workers keep serving); on reload/shutdown workers get `graceful_timeout` seconds to finish.
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "60"))
graceful_timeout = int(os.environ.get("GUNICORN_GRACEFUL_TIMEOUT", "30"))
keepalive = 5
# Long request lines and headers must reach Django (and get the JSON envelope), not gunicorn's HTML error page.
limit_request_line = 0
limit_request_field_size = 32768
# Recycle workers now and then so memory stays flat under sustained load.
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", "20000"))
max_requests_jitter = 2000


class SecretMaskingLogger(Logger):
    """gunicorn's access log, with `phx_…` keys and `phc_…` tokens in the request line and headers masked."""

    def atoms(self, resp, req, environ, request_time):
        return {
            name: secrets_redact(value) if isinstance(value, str) else value
            for name, value in super().atoms(resp, req, environ, request_time).items()
        }


logger_class = SecretMaskingLogger
# The application logs one structured line per request itself (accounts/request_log.py); gunicorn's
# own access log is an optional extra.
accesslog = "-" if os.environ.get("GUNICORN_ACCESS_LOG", "") else None
errorlog = "-"
