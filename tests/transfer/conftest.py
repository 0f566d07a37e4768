"""A second, real instance of this service as the import source: gunicorn on a database of its own
(on PostgreSQL a second database on the test server, on SQLite a file), migrated and bootstrapped with
`manage.py`. Tests talk to it only over HTTP, as the import does; nothing of the HTTP layer is mocked.

The instance lives for the whole test session; every test that needs source data bootstraps a project
of its own there, so tests do not see each other's source tours.
"""

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.db import connection

from tests.live import Server, manage
from tests.support.transfer import SourceInstance, SourceProject, new_source_project, postgres_database


@pytest.fixture(scope="session")
def source_instance(tmp_path_factory) -> Iterator[SourceInstance]:
    workdir: Path = tmp_path_factory.mktemp("import-source")
    drop = None
    if connection.vendor == "postgresql":
        database_url, drop = postgres_database(f"ptapi_import_source_{os.getpid()}")
    else:
        database_url = f"sqlite:///{workdir / 'source.sqlite3'}"
    # Its own database, cache and rate-limit store: nothing shared with the test process but the machine.
    env = {
        **{name: value for name, value in os.environ.items() if name != "REDIS_URL"},
        "DATABASE_URL": database_url,
        "SECRET_KEY": "import-source-instance",
        "DEBUG": "0",
        "RATE_LIMIT_ENABLED": "0",
        "WEB_CONCURRENCY": "2",
        "VAR_DIR": str(workdir),
        "CACHE_DIR": str(workdir / "cache"),
        "LOG_LEVEL": "WARNING",
    }
    server = None
    try:
        manage(env, "migrate", "--noinput")
        server = Server(env)
        server.wait_ready(healthy=True)
        yield SourceInstance(url=server.url, env=env)
    finally:
        if server is not None:
            server.stop()
        if drop is not None:
            drop()


@pytest.fixture
def source_project(source_instance) -> SourceProject:
    """A fresh, empty project on the source instance with a `*` key."""
    return new_source_project(source_instance)
