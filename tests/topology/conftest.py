"""Prerequisites of the topology suites: a missing Redis server is a failure in CI, a skip elsewhere."""

import os

import pytest

from tests.live import redis_server_bin


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
