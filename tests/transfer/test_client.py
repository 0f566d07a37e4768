"""The PostHog client: Retry-After, `next` links, hosts — and, against real local HTTP servers, that the
key never follows a link or redirect to another host and that a non-API answer is a clear error."""

import http.server
import threading
from datetime import UTC, datetime

import pytest

from tours.services.transfer.posthog_client import (
    PostHogClient,
    SourceError,
    backoff_seconds,
    host_normalize,
    next_url_resolve,
    retry_after_seconds,
)


def test_retry_after_in_seconds_or_as_a_date():
    now = datetime(2025, 1, 1, 12, 0, 0, tzinfo=UTC)
    assert retry_after_seconds("7", now=now) == 7.0
    assert retry_after_seconds("Wed, 01 Jan 2025 12:00:30 GMT", now=now) == 30.0
    assert retry_after_seconds("Wed, 01 Jan 2025 11:00:00 GMT", now=now) == 0.0
    assert retry_after_seconds("-3", now=now) == 0.0
    assert retry_after_seconds("soon", now=now) is None and retry_after_seconds(None) is None
    assert [backoff_seconds(n) for n in (0, 1, 2, 10)] == [1, 2, 4, 60]


def test_next_links_stay_on_the_given_host():
    host = "https://eu.posthog.com"
    assert next_url_resolve(
        host=host, next_url="http://elsewhere.example/api/projects/1/product_tours/?offset=100"
    ) == ("https://eu.posthog.com/api/projects/1/product_tours/?offset=100")


def test_hosts_are_http_urls():
    assert host_normalize(" https://us.posthog.com/ ") == "https://us.posthog.com"
    assert host_normalize("http://10.0.0.5:8000/posthog/") == "http://10.0.0.5:8000/posthog"
    for bad in ("us.posthog.com", "ftp://x", "https://"):
        with pytest.raises(ValueError, match="must be an http"):
            host_normalize(bad)


class _Recorder(http.server.BaseHTTPRequestHandler):
    answers: dict = {}
    seen: list = []

    def do_GET(self):
        self.seen.append((self.server.server_port, self.path, self.headers.get("Authorization")))
        status, headers, body = self.answers.get(self.path, (404, {}, b"{}"))
        self.send_response(status)
        for name, value in headers.items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture
def http_server():
    servers = []

    def start(answers: dict):
        handler = type("Handler", (_Recorder,), {"answers": answers, "seen": []})
        server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        servers.append(server)
        return server, handler.seen

    yield start
    for server in servers:
        server.shutdown()
        server.server_close()


def test_the_key_never_goes_to_another_host(http_server):
    elsewhere, elsewhere_seen = http_server({"/steal": (200, {}, b'{"results": [], "next": null}')})
    other = f"http://127.0.0.1:{elsewhere.server_port}"
    page = b'{"results": [{"id": 1}], "next": "' + other.encode() + b'/api/p/?offset=1"}'
    source, seen = http_server(
        {
            "/api/p/": (200, {"Content-Type": "application/json"}, page),
            "/api/p/?offset=1": (302, {"Location": f"{other}/steal"}, b""),
        }
    )
    client = PostHogClient(host=f"http://127.0.0.1:{source.server_port}", personal_api_key="phx_secret")
    pages = client.pages("/api/p/")
    assert next(pages) == [{"id": 1}]
    with pytest.raises(SourceError, match="answered 302"):
        next(pages)
    assert [path for _, path, _ in seen] == ["/api/p/", "/api/p/?offset=1"]  # the link was followed here
    assert all(auth == "Bearer phx_secret" for _, _, auth in seen)
    assert elsewhere_seen == []  # neither the link nor the redirect reached the other host


def test_an_answer_that_is_not_the_api_is_a_clear_error(http_server):
    source, _ = http_server({"/api/p/": (200, {"Content-Type": "text/html"}, b"<html>Welcome</html>")})
    host = f"http://127.0.0.1:{source.server_port}"
    with pytest.raises(SourceError) as error:
        next(PostHogClient(host=host, personal_api_key="k").pages("/api/p/"))
    assert str(error.value) == f"{host}/api/p/ answered 200 without JSON: is --host the address of a PostHog instance?"


def test_server_errors_are_retried_then_reported(http_server):
    source, seen = http_server({"/api/p/": (503, {"Retry-After": "0"}, b'{"detail": "busy"}')})
    waits = []
    client = PostHogClient(
        host=f"http://127.0.0.1:{source.server_port}", personal_api_key="k", sleep=waits.append, on_wait=lambda m: None
    )
    with pytest.raises(SourceError, match="kept answering 503 after 6 attempts"):
        client.get(client.url("/api/p/"))
    assert len(seen) == 6 and waits == [1.0] * 5  # Retry-After: 0 still waits a second between attempts
