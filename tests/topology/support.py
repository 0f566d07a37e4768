"""What the topology suites share: starting instances, talking to them as a client and as posthog-js,
and the read-your-writes scenario run against every shape the service is deployed in; a missing Redis
server is a failure in CI, a skip elsewhere."""

import itertools
import json
import os
import time
import uuid
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime

import httpx
import pytest

from tests.live import Server, manage, redis_server_bin

READS = 40  # per check, spread over every worker of every instance (new connection each)
STEPS = [{"id": "s1", "type": "modal", "title": "Welcome", "content": None}]
_addresses = itertools.count(1)


def require_redis_server() -> str:
    binary = redis_server_bin()
    if binary is None:
        message = "redis-server is not installed (scripts/install-redis.sh)"
        if os.environ.get("REQUIRE_E2E"):
            pytest.fail(message)
        pytest.skip(message)
    return binary


def base_env(**extra: str) -> dict:
    return {
        "PATH": "/usr/local/bin:/usr/bin:/bin",
        "SECRET_KEY": "topology-test",
        "DEBUG": "0",
        "RATE_LIMIT_ENABLED": "1",
        "TRUSTED_PROXY_COUNT": "1",  # public reads pose as distinct clients through X-Forwarded-For
        "LOG_LEVEL": "WARNING",
        **extra,
    }


@contextmanager
def instances(env: dict, count: int, workers: int):
    """`count` gunicorn instances with `workers` workers each, on the same database (and Redis, if any)."""
    servers = [Server({**env, "WEB_CONCURRENCY": str(workers)}) for _ in range(count)]
    try:
        for server in servers:
            server.wait_ready(healthy=True)
        yield servers
    finally:
        for server in servers:
            server.stop()


@dataclass
class Account:
    key: str
    token: str
    project_id: int

    @classmethod
    def of(cls, bootstrapped: dict) -> "Account":
        return cls(bootstrapped["personal_api_key"], bootstrapped["project_api_token"], bootstrapped["project_id"])


def client_address() -> str:
    """A distinct client address per public read (the instances trust one proxy), so that reads never
    spend one address's public rate-limit budget."""
    n = next(_addresses)
    return f"10.{(n >> 16) & 255}.{(n >> 8) & 255}.{n & 255}"


def api(server: Server, account: Account, method: str, path: str, body: dict | None = None) -> httpx.Response:
    url = f"{server.url}/api/projects/{account.project_id}/{path}"
    headers = {"Authorization": f"Bearer {account.key}"}
    response = httpx.request(method, url, json=body, headers=headers, timeout=20)
    assert response.status_code < 300, (method, path, response.status_code, response.text[:500])
    return response


def public_tours(server: Server, token: str) -> httpx.Response:
    headers = {"X-Forwarded-For": client_address(), "Connection": "close"}
    return httpx.get(f"{server.url}/api/product_tours", params={"token": token}, headers=headers, timeout=20)


def flags(server: Server, token: str) -> httpx.Response:
    headers = {"X-Forwarded-For": client_address(), "Connection": "close"}
    body = json.dumps({"token": token, "distinct_id": "visitor-1"})
    return httpx.post(f"{server.url}/flags/?v=2", content=body, headers=headers, timeout=20)


def config_js(server: Server, token: str) -> httpx.Response:
    headers = {"X-Forwarded-For": client_address(), "Connection": "close"}
    return httpx.get(f"{server.url}/array/{token}/config.js", headers=headers, timeout=20)


def tour_names(response: httpx.Response) -> list[str]:
    assert response.status_code == 200, response.text[:300]
    return [tour["name"] for tour in response.json()["product_tours"]]


def every_read(servers: list[Server], read, expect, what: str) -> None:
    """`READS` reads spread round-robin over the instances; every one must satisfy `expect`."""
    for n in range(READS):
        value = read(servers[n % len(servers)])
        assert expect(value), f"{what}: read {n + 1} of {READS} saw {value!r}"


def fresh_daily_window() -> None:
    """The throttle scenarios use per-day budgets; a UTC midnight during the run would reset them."""
    left = 86400 - time.time() % 86400
    if left < 120:
        time.sleep(left + 1)


def launched_tour(name: str) -> dict:
    return {"name": name, "content": {"steps": STEPS}, "auto_launch": True, "start_date": datetime.now(UTC).isoformat()}


def read_your_writes_scenario(servers: list[Server], account: Account, env: dict) -> None:
    """Each write through one instance, then every read on every worker of every instance reflects it.

    Reads before each write leave every worker remembering the old state, so a reader that served what
    it remembered instead of checking the revision would fail here."""
    token = account.token
    writer = itertools.cycle(servers)

    def tours_are(expected: list[str], what: str) -> None:
        every_read(servers, lambda s: tour_names(public_tours(s, token)), lambda names: names == expected, what)

    def editor_list(server: Server) -> list[dict]:
        return api(server, account, "GET", "product_tours/").json()["results"]

    def editor_names_are(expected: list[str], what: str) -> None:
        """The editor's list pages, which each worker remembers per revision (tours/api/list_pages.py)."""
        every_read(servers, lambda s: [t["name"] for t in editor_list(s)], lambda names: names == expected, what)

    def product_tours_flag(expected: bool, what: str) -> None:
        def read(server):
            response = config_js(server, token)
            assert response.status_code == 200, response.text[:300]
            return '"productTours": true' in response.text

        every_read(servers, read, lambda value: value is expected, what)

    def flag_state(key: str):
        def read(server):
            response = flags(server, token)
            assert response.status_code == 200, response.text[:300]
            found = response.json()["flags"].get(key)
            return None if found is None else found["enabled"]

        return read

    tours_are([], "before any write")
    product_tours_flag(False, "remote config before any tour")

    created = api(next(writer), account, "POST", "product_tours/", launched_tour("Onboarding")).json()
    tour_id, internal_key = created["id"], created["internal_targeting_flag"]["key"]
    tours_are(["Onboarding"], "after create and launch")
    editor_names_are(["Onboarding"], "editor list after create")
    product_tours_flag(True, "remote config after launch")
    every_read(servers, flag_state(internal_key), lambda enabled: enabled is not None, "/flags after launch")

    api(next(writer), account, "PATCH", f"product_tours/{tour_id}/", {"name": "Onboarding v2"})
    tours_are(["Onboarding v2"], "after PATCH")
    editor_names_are(["Onboarding v2"], "editor list after PATCH")

    api(next(writer), account, "PATCH", f"product_tours/{tour_id}/draft/", {"name": "Onboarding v3"})
    tours_are(["Onboarding v2"], "after a draft save (drafts are never served)")
    api(next(writer), account, "POST", f"product_tours/{tour_id}/publish_draft/")
    tours_are(["Onboarding v3"], "after publish_draft")

    flag = api(
        next(writer),
        account,
        "POST",
        "feature_flags/",
        {"key": "beta", "name": "Beta", "filters": {"groups": [{"properties": [], "rollout_percentage": 100}]}},
    ).json()
    api(next(writer), account, "PATCH", f"product_tours/{tour_id}/", {"linked_flag_id": flag["id"]})
    every_read(
        servers,
        lambda s: public_tours(s, token).json()["product_tours"][0]["linked_flag_key"],
        lambda key: key == "beta",
        "linked flag after PATCH",
    )
    every_read(servers, flag_state("beta"), lambda enabled: enabled is True, "/flags before the flag PATCH")
    api(next(writer), account, "PATCH", f"feature_flags/{flag['id']}/", {"key": "beta-2", "active": False})
    every_read(
        servers,
        lambda s: public_tours(s, token).json()["product_tours"][0]["linked_flag_key"],
        lambda key: key == "beta-2",
        "linked flag key after a flag PATCH",
    )
    every_read(servers, flag_state("beta-2"), lambda enabled: enabled is False, "/flags after a flag PATCH")
    every_read(
        servers,
        lambda s: editor_list(s)[0]["linked_flag"]["key"],
        lambda key: key == "beta-2",
        "editor list's linked flag after a flag PATCH",
    )

    second = api(next(writer), account, "POST", "product_tours/", launched_tour("Announcement")).json()
    tours_are(["Onboarding v3", "Announcement"], "after a second launch")
    api(next(writer), account, "DELETE", f"product_tours/{second['id']}/")
    tours_are(["Onboarding v3"], "after delete")
    editor_names_are(["Onboarding v3"], "editor list after delete")
    api(next(writer), account, "PATCH", f"product_tours/{tour_id}/", {"archived": True})
    tours_are([], "after archive")
    product_tours_flag(False, "remote config after the last live tour was archived")

    new_token = f"phc_rotated_{uuid.uuid4().hex}"
    manage(
        env,
        "shell",
        "-c",
        (
            "from accounts.models import Project; "
            f"p = Project.objects.get(pk={account.project_id}); p.api_token = {new_token!r}; p.save()"
        ),
    )
    every_read(
        servers,
        lambda s: public_tours(s, token).status_code,
        lambda status: status == 401,
        "old token after a token change",
    )
    every_read(
        servers,
        lambda s: config_js(s, token).status_code,
        lambda status: status == 404,
        "remote config of the old token",
    )
    every_read(
        servers,
        lambda s: public_tours(s, new_token).status_code,
        lambda status: status == 200,
        "new token after a token change",
    )
    account.token = new_token


def throttle_budget_scenario(servers: list[Server], account: Account, *, api_limit: int, public_limit: int) -> None:
    """Requests alternate over every instance (new connection each): exactly the configured number pass."""
    url = f"/api/projects/{account.project_id}/product_tours/"
    statuses = [
        httpx.get(
            servers[n % len(servers)].url + url,
            headers={"Authorization": f"Bearer {account.key}", "Connection": "close"},
            timeout=20,
        ).status_code
        for n in range(api_limit + 10)
    ]
    assert statuses == [200] * api_limit + [429] * 10, statuses

    address = client_address()
    statuses = [
        httpx.get(
            f"{servers[n % len(servers)].url}/api/product_tours",
            params={"token": account.token},
            headers={"X-Forwarded-For": address, "Connection": "close"},
            timeout=20,
        ).status_code
        for n in range(public_limit + 10)
    ]
    assert statuses == [200] * public_limit + [429] * 10, statuses
