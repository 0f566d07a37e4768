"""A real gunicorn on a PostgreSQL cluster of this module's own (PostgreSQL runs only; SQLite runs skip):
the database going away gives 503s quickly and the service recovers by itself when it returns; chunked
bodies are bounded; the access and request logs never contain a key or token."""

import json
import time

import httpx
import pytest
from django.db import connection

from tests.live import Cluster, Server, bootstrap, manage, postgres_bin

BODY_LIMIT = 65536
DATABASE_UNAVAILABLE = {
    "type": "server_error",
    "code": "service_unavailable",
    "detail": "The database is unavailable. Try again shortly.",
    "attr": None,
}


@pytest.fixture(scope="module")
def live():
    if connection.vendor != "postgresql":
        pytest.skip("runs a real server on a throwaway PostgreSQL cluster (the PostgreSQL pass of make test)")
    pgbin = postgres_bin()
    if pgbin is None:
        pytest.skip("PostgreSQL server binaries not found (scripts/with-postgres.sh installs them)")
    cluster = Cluster(pgbin)
    server = None
    try:
        cluster.init()
        cluster.start()
        env = {
            "PATH": "/usr/local/bin:/usr/bin:/bin",
            "DATABASE_URL": cluster.url,
            "DATABASE_CONNECT_TIMEOUT": "2",
            "SECRET_KEY": "live-server-test",
            "DEBUG": "0",
            "RATE_LIMIT_ENABLED": "0",
            "MAX_REQUEST_BODY_BYTES": str(BODY_LIMIT),
            "WEB_CONCURRENCY": "2",
            "GUNICORN_ACCESS_LOG": "1",
            "LOG_FORMAT": "json",
            "VAR_DIR": str(cluster.dir),
        }
        manage(env, "migrate", "--noinput")
        account = bootstrap(env)
        server = Server(env)
        server.wait_ready()
        yield cluster, server, account
    finally:
        if server is not None:
            server.stop()
        cluster.remove()


def api(server, account, path: str = "product_tours/", **kwargs):
    headers = {"Authorization": f"Bearer {account['personal_api_key']}"}
    return httpx.get(f"{server.url}/api/projects/{account['project_id']}/{path}", headers=headers, timeout=10, **kwargs)


def test_chunked_bodies_are_parsed_within_the_limit_and_413_beyond(live):
    _, server, account = live
    url = f"{server.url}/api/projects/{account['project_id']}/product_tours/"
    headers = {"Authorization": f"Bearer {account['personal_api_key']}", "Content-Type": "application/json"}

    def chunks(body: bytes):  # a generator body: httpx sends it with Transfer-Encoding: chunked
        for start in range(0, len(body), 4096):
            yield body[start : start + 4096]

    small = json.dumps({"name": "Sent in chunks", "description": "d" * 10000}).encode()
    response = httpx.post(url, content=chunks(small), headers=headers, timeout=10)
    assert response.status_code == 201, response.text[:300]
    assert response.json()["name"] == "Sent in chunks"

    big = json.dumps({"name": "Too big", "description": "d" * (BODY_LIMIT * 3)}).encode()
    response = httpx.post(url, content=chunks(big), headers=headers, timeout=10)
    assert response.status_code == 413
    assert response.json() == {
        "type": "invalid_request",
        "code": "request_too_large",
        "detail": f"Request body is too large (limit {BODY_LIMIT} bytes).",
        "attr": None,
    }
    names = [tour["name"] for tour in api(server, account).json()["results"]]
    assert names == ["Sent in chunks"]


def test_logs_never_contain_a_key_or_token(live):
    _, server, account = live
    key, token, project_id = account["personal_api_key"], account["project_api_token"], account["project_id"]
    assert api(server, account).status_code == 200
    assert httpx.get(f"{server.url}/api/projects/{project_id}/", params={"personal_api_key": key}).status_code == 200
    bad = httpx.get(f"{server.url}/api/projects/{project_id}/", headers={"Authorization": f"Bearer {key}x"})
    assert bad.status_code == 401
    assert httpx.get(f"{server.url}/api/product_tours", params={"token": token}).status_code == 200
    assert httpx.get(f"{server.url}/api/product_tours", params={"token": token + "x"}).status_code == 401
    assert httpx.get(f"{server.url}/array/{token}/config").status_code == 200
    httpx.get(f"{server.url}/api/product_tours", params={"token": token}, headers={"Referer": f"https://x/?k={key}"})

    deadline = time.monotonic() + 5
    while time.monotonic() < deadline and server.log().count('"logger": "core.request_log"') < 7:
        time.sleep(0.1)
    log = server.log()
    assert key not in log and key[4:] not in log
    assert token not in log and token[4:] not in log
    request_lines = [json.loads(line) for line in log.splitlines() if '"logger": "core.request_log"' in line]
    assert len(request_lines) >= 7
    assert {line["path"] for line in request_lines} >= {"/api/product_tours", "/array/phc_***/config"}
    by_key = [line for line in request_lines if line["path"] == f"/api/projects/{project_id}/product_tours/"]
    assert by_key and by_key[-1]["key_id"] and by_key[-1]["project_id"] == project_id
    assert "phc_***" in log  # the access log line is there, masked


def test_database_outage_gives_503_quickly_and_the_service_recovers(live):
    cluster, server, account = live
    assert api(server, account).status_code == 200
    assert httpx.get(f"{server.url}/_health", timeout=10).status_code == 200

    cluster.stop("fast")
    try:
        for _ in range(4):  # both workers, each with a connection the shutdown cut
            response = api(server, account)  # DATABASE_CONNECT_TIMEOUT=2 answers well within httpx's timeout
            assert response.status_code == 503, response.text[:300]
            assert response.json() == DATABASE_UNAVAILABLE
            health = httpx.get(f"{server.url}/_health", timeout=10)
            assert health.status_code == 503
            assert health.json() == {"status": "unavailable", "checks": {"database": "unavailable", "cache": "ok"}}
    finally:
        cluster.start()

    deadline = time.monotonic() + 20
    statuses = []
    while time.monotonic() < deadline:
        statuses = [api(server, account).status_code for _ in range(4)] + [
            httpx.get(f"{server.url}/_health", timeout=10).status_code
        ]
        if set(statuses) == {200}:
            break
        time.sleep(0.5)
    assert set(statuses) == {200}, statuses
    assert server.process.poll() is None  # no restart was needed
