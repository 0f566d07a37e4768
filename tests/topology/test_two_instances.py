"""Two gunicorn instances (2 workers each) on one PostgreSQL database and one real Redis server: writes
through either are read back by every worker of both; rate limits count once across both; Redis
killed mid-run costs no request, and its return is noticed without a restart.

Runs in the PostgreSQL pass of `make test`, on a PostgreSQL cluster and Redis server of its own."""

import time

import httpx
import pytest
from django.db import connection

from tests.live import Cluster, RedisServer, bootstrap, manage, postgres_bin
from tests.topology.support import (
    Account,
    api,
    base_env,
    client_address,
    fresh_daily_window,
    instances,
    launched_tour,
    public_tours,
    read_your_writes_scenario,
    require_redis_server,
    throttle_budget_scenario,
    tour_names,
)

API_LIMIT, PUBLIC_LIMIT, BAD_KEY_LIMIT = 12, 15, 4


@pytest.fixture(scope="module")
def stack():
    if connection.vendor != "postgresql":
        pytest.skip("two instances on one PostgreSQL database: the PostgreSQL pass of make test")
    redis_binary = require_redis_server()
    pgbin = postgres_bin()
    if pgbin is None:
        pytest.skip("PostgreSQL server binaries not found (scripts/with-postgres.sh installs them)")
    cluster, redis = Cluster(pgbin), RedisServer(redis_binary)
    try:
        cluster.init()
        cluster.start()
        redis.start()
        env = base_env(DATABASE_URL=cluster.url, REDIS_URL=redis.url, VAR_DIR=str(cluster.dir))
        manage(env, "migrate", "--noinput")
        yield env, redis
    finally:
        redis.remove()
        cluster.remove()


def test_read_your_writes_across_instances(stack):
    env, _ = stack
    account = Account.of(bootstrap(env))
    with instances(env, count=2, workers=2) as servers:
        read_your_writes_scenario(servers, account, env)


def test_one_throttle_budget_across_instances(stack):
    env, _ = stack
    fresh_daily_window()
    limited = {
        **env,
        "API_RATE_LIMIT": f"{API_LIMIT}/day",
        "PUBLIC_RATE_LIMIT": f"{PUBLIC_LIMIT}/day",
        "INVALID_KEY_RATE_LIMIT": f"{BAD_KEY_LIMIT}/day",
    }
    account = Account.of(bootstrap(env))
    with instances(limited, count=2, workers=2) as servers:
        throttle_budget_scenario(servers, account, api_limit=API_LIMIT, public_limit=PUBLIC_LIMIT)

        # Failed key lookups from one address: the lockout counts them across instances too.
        address, url = client_address(), f"/api/projects/{account.project_id}/"
        statuses = [
            httpx.get(
                servers[n % 2].url + url,
                headers={"Authorization": "Bearer phx_wrong", "X-Forwarded-For": address},
                timeout=20,
            ).status_code
            for n in range(BAD_KEY_LIMIT + 2)
        ]
        assert statuses == [401] * BAD_KEY_LIMIT + [429] * 2, statuses


def test_redis_outage_costs_no_request_and_recovery_needs_no_restart(stack):
    env, redis = stack
    account = Account.of(bootstrap(env))
    with instances(env, count=2, workers=2) as servers:
        created = api(servers[0], account, "POST", "product_tours/", launched_tour("Before the outage")).json()
        assert all(httpx.get(f"{s.url}/_health", timeout=10).json()["status"] == "ok" for s in servers)

        redis.kill()
        try:
            statuses = []
            for n in range(24):  # every worker of both instances meets the outage
                server = servers[n % 2]
                statuses.append(api(server, account, "GET", "product_tours/").status_code)
                statuses.append(public_tours(server, account.token).status_code)
            assert set(statuses) == {200}, statuses
            api(servers[1], account, "PATCH", f"product_tours/{created['id']}/", {"name": "During the outage"})
            assert {tuple(tour_names(public_tours(s, account.token))) for s in servers * 4} == {("During the outage",)}
            for server in servers:
                health = httpx.get(f"{server.url}/_health", timeout=10)
                assert health.status_code == 200
                assert health.json() == {"status": "degraded", "checks": {"database": "ok", "cache": "unavailable"}}
        finally:
            redis.start()

        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if all(httpx.get(f"{s.url}/_health", timeout=10).json()["status"] == "ok" for s in servers):
                break
            time.sleep(0.5)
        else:
            pytest.fail("health did not recover after Redis came back")
        # Nothing acknowledged during the outage is lost, and counting resumes.
        assert {tuple(tour_names(public_tours(s, account.token))) for s in servers * 4} == {("During the outage",)}
        time.sleep(2.5)  # the workers' pause after a failed call (core.shared_store.RETRY_SECONDS)
        for server in servers * 2:
            api(server, account, "GET", "product_tours/")
        import redis as redis_client

        keys = redis_client.Redis.from_url(redis.url).keys("*throttle:pak:*")
        assert keys, "rate limits are counted in Redis again"
