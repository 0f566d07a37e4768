"""gunicorn settings; HOST, PORT, WEB_CONCURRENCY, GUNICORN_TIMEOUT, GUNICORN_GRACEFUL_TIMEOUT, GUNICORN_MAX_REQUESTS,
GUNICORN_MAX_REQUESTS_JITTER, GUNICORN_PRELOAD_APP (default 1) and GUNICORN_ACCESS_LOG come from the environment."""

import gc
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
# The application (Django, every view, the URL patterns: config/wsgi.py) is loaded once in the master and
# workers are forked from it: a worker, and every replacement after `max_requests`, starts warm. Without
# it a replacement imports Django on its first request (1-2 s), and when both workers are replaced at
# about the same time nobody serves meanwhile: the p99 spikes of seconds `make bench` used to show.
preload_app = os.environ.get("GUNICORN_PRELOAD_APP", "1") != "0"
# Recycle workers now and then, a safety net: worker memory stays flat under sustained load without it
# (`make bench` soak), and with `preload_app` a replacement costs a fork.
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", "20000"))
max_requests_jitter = int(os.environ.get("GUNICORN_MAX_REQUESTS_JITTER", "2000"))


def when_ready(server):
    """After the preloaded application, before the first fork: move everything loaded so far out of the
    garbage collector's reach, so that workers' collections do not touch (and copy) the pages they share."""
    if preload_app:
        gc.freeze()


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
