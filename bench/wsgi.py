"""What `make bench` serves: the project's WSGI application, plus the bare floor under `/_bench/bare/`.

The bare floor is the cheapest Python answer there is: a plain WSGI function (no Django, no framework)
that returns bytes recorded from a real answer of the scenario it stands for — same status, same
content type, same body. Served by the same gunicorn, workers and settings as the application, its
throughput is the "Python floor" every public scenario is divided by. It reads the request body as
any application must. The answers are files in `BENCH_BARE_DIR` (`<name>.json`: status, headers,
body in base64), written by the driver before the load starts and read once per worker.
"""

import base64
import json
import os
from pathlib import Path

from config.wsgi import application as project_application

PREFIX = "/_bench/bare/"
_answers: dict[str, tuple[str, list[tuple[str, str]], bytes]] = {}


def _answer(name: str) -> tuple[str, list[tuple[str, str]], bytes] | None:
    known = _answers.get(name)
    if known is None:
        path = Path(os.environ.get("BENCH_BARE_DIR", "/nonexistent")) / f"{name}.json"
        if not name.isidentifier() or not path.exists():
            return None
        spec = json.loads(path.read_text())
        body = base64.b64decode(spec["body"])
        headers = [(k, v) for k, v in spec["headers"]] + [("Content-Length", str(len(body)))]
        known = _answers[name] = (spec["status"], headers, body)
    return known


def bare(environ, start_response):
    length = int(environ.get("CONTENT_LENGTH") or 0)
    if length:
        environ["wsgi.input"].read(length)
    answer = _answer(environ["PATH_INFO"][len(PREFIX) :].split("/", 1)[0])
    if answer is None:
        start_response("404 Not Found", [("Content-Type", "text/plain"), ("Content-Length", "0")])
        return [b""]
    status, headers, body = answer
    start_response(status, headers)
    return [body]


def application(environ, start_response):
    if environ.get("PATH_INFO", "").startswith(PREFIX):
        return bare(environ, start_response)
    return project_application(environ, start_response)
