"""gunicorn settings; HOST, PORT, WEB_CONCURRENCY and GUNICORN_TIMEOUT come from the environment."""

import os

bind = f"{os.environ.get('HOST', '127.0.0.1')}:{os.environ.get('PORT', '8000')}"
workers = int(os.environ.get("WEB_CONCURRENCY", "2"))
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "60"))
graceful_timeout = 30
keepalive = 5
# Long request lines and headers must reach Django (and get the JSON envelope), not gunicorn's HTML error page.
limit_request_line = 0
limit_request_field_size = 32768
# Recycle workers now and then so memory stays flat under sustained load.
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", "20000"))
max_requests_jitter = 2000
accesslog = "-" if os.environ.get("GUNICORN_ACCESS_LOG", "") else None
errorlog = "-"
