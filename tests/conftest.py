import subprocess
import sys
import tempfile
from pathlib import Path

import pytest
from rest_framework.test import APIClient

from tests.support.tenants import Tenant, make_tenant


@pytest.fixture(autouse=True, scope="session")
def _public_paths_through_the_gateway():
    from tests.gateway_client import install

    install()


@pytest.fixture(autouse=True)
def _no_rate_limits(settings):
    settings.RATE_LIMIT_ENABLED = False


@pytest.fixture(autouse=True)
def _clear_cache():
    from django.core.cache import cache

    from core.revision_memo import revision_memos_clear

    # Payloads are remembered by project id and revision; SQLite reuses ids after a rollback.
    revision_memos_clear()
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def tenant(db) -> Tenant:
    return make_tenant()


@pytest.fixture
def other_tenant(db) -> Tenant:
    return make_tenant()


@pytest.fixture
def anon_client() -> APIClient:
    return APIClient()


FAKE_SERVER = Path(__file__).parent / "generate" / "fake_openai.py"


@pytest.fixture(scope="session")
def fake_openai_url():
    """The fake OpenAI-compatible server, in its own process for the whole session: its base URL."""
    # stderr goes to a file, not a pipe nobody drains (a full pipe would block the server).
    stderr = tempfile.TemporaryFile(mode="w+")
    process = subprocess.Popen([sys.executable, str(FAKE_SERVER)], stdout=subprocess.PIPE, stderr=stderr, text=True)
    try:
        line = process.stdout.readline()  # "PORT <n>" once listening
        if not line.startswith("PORT "):
            process.wait(timeout=5)
            stderr.seek(0)
            raise RuntimeError(f"fake OpenAI server did not start: {line!r} {stderr.read()!r}")
        yield f"http://127.0.0.1:{int(line.split()[1])}/v1"
    finally:
        process.terminate()
        try:
            process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        process.stdout.close()
        stderr.close()
