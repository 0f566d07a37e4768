"""The default shape of `make run`: one gunicorn instance with 4 workers on SQLite, no Redis. Writes are
read back by every worker at once; rate limits count once across the workers (the diskcache store).

Runs in the SQLite pass of `make test`, on a database file of its own."""

import tempfile
from pathlib import Path

import pytest
from django.db import connection

from tests.live import bootstrap, manage
from tests.topology.support import (
    Account,
    base_env,
    fresh_daily_window,
    instances,
    public_tours,
    read_your_writes_scenario,
    throttle_budget_scenario,
)

WORKERS, API_LIMIT, PUBLIC_LIMIT = 4, 14, 11


@pytest.fixture(scope="module")
def env():
    if connection.vendor != "sqlite":
        pytest.skip("the embedded default (SQLite): the SQLite pass of make test")
    var = Path(tempfile.mkdtemp(prefix="ptapi-topology-sqlite."))
    env = base_env(DATABASE_URL=f"sqlite:///{var / 'db.sqlite3'}", VAR_DIR=str(var), CACHE_DIR=str(var / "cache"))
    manage(env, "migrate", "--noinput")
    return env


def test_read_your_writes_across_workers(env):
    account = Account.of(bootstrap(env))
    with instances(env, count=1, workers=WORKERS) as servers:
        read_your_writes_scenario(servers, account, env)
        # Deleting the project retires its token on every worker at once.
        manage(
            env,
            "shell",
            "-c",
            f"from accounts.models import Project; Project.objects.filter(pk={account.project_id}).delete()",
        )
        assert {public_tours(servers[0], account.token).status_code for _ in range(20)} == {401}


def test_one_throttle_budget_across_workers(env):
    fresh_daily_window()
    limited = {**env, "API_RATE_LIMIT": f"{API_LIMIT}/day", "PUBLIC_RATE_LIMIT": f"{PUBLIC_LIMIT}/day"}
    account = Account.of(bootstrap(env))
    with instances(limited, count=1, workers=WORKERS) as servers:
        throttle_budget_scenario(servers, account, api_limit=API_LIMIT, public_limit=PUBLIC_LIMIT)
