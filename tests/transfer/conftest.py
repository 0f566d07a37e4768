"""A second, real instance of this service as the import source: gunicorn on a database of its own
(on PostgreSQL a second database on the test server, on SQLite a file), migrated and bootstrapped with
`manage.py`. Tests talk to it only over HTTP, as the import does; nothing of the HTTP layer is mocked.

The instance lives for the whole test session; every test that needs source data bootstraps a project
of its own there, so tests do not see each other's source tours.
"""

import itertools
import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx
import psycopg
import pytest
from django.db import connection

from tests.live import Server, manage
from tests.transfer.commands import bootstrap_account

_projects = itertools.count(1)


@dataclass
class SourceInstance:
    url: str
    env: dict

    @contextmanager
    def another_server(self, **env) -> Iterator[Server]:
        """Another gunicorn on the same database, e.g. with rate limits on (counted in a store of its own)."""
        var = tempfile.mkdtemp(prefix="ptapi-source-var-")
        server = Server({**self.env, "VAR_DIR": var, "CACHE_DIR": os.path.join(var, "cache"), **env})
        try:
            server.wait_ready(healthy=True)
            yield server
        finally:
            server.stop()
            shutil.rmtree(var, ignore_errors=True)


@dataclass
class SourceProject:
    """A project on the source instance and a personal API key for it."""

    instance: SourceInstance
    project_id: int
    key: str

    @property
    def url(self) -> str:
        return self.instance.url

    def request(self, method: str, path: str, body: dict | None = None) -> httpx.Response:
        return httpx.request(
            method,
            f"{self.url}/api/projects/{self.project_id}/{path}",
            json=body,
            headers={"Authorization": f"Bearer {self.key}"},
            timeout=30,
        )

    def send(self, method: str, path: str, body: dict | None = None) -> dict:
        response = self.request(method, path, body)
        assert response.status_code in (200, 201), (method, path, response.status_code, response.text[:500])
        return response.json()

    def tours(self) -> list[dict]:
        return self.send("GET", "product_tours/?limit=1000")["results"]

    def flag(self, flag_id: int) -> dict:
        return self.send("GET", f"feature_flags/{flag_id}/")


def _postgres_database(name: str) -> tuple[str, callable]:
    """A new database next to the test database: its URL and how to drop it."""
    settings = connection.settings_dict
    params = {"host": settings["HOST"], "port": settings["PORT"], "user": settings["USER"], "dbname": "postgres"}
    if settings.get("PASSWORD"):
        params["password"] = settings["PASSWORD"]
    with psycopg.connect(**params, autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}"')
        admin.execute(f'CREATE DATABASE "{name}"')
    auth = settings["USER"] + (f":{settings['PASSWORD']}" if settings.get("PASSWORD") else "")

    def drop() -> None:
        with psycopg.connect(**params, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    return f"postgres://{auth}@{settings['HOST']}:{settings['PORT']}/{name}", drop


@pytest.fixture(scope="session")
def source_instance(tmp_path_factory) -> Iterator[SourceInstance]:
    workdir: Path = tmp_path_factory.mktemp("import-source")
    drop = None
    if connection.vendor == "postgresql":
        database_url, drop = _postgres_database(f"ptapi_import_source_{os.getpid()}")
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


def new_source_project(instance: SourceInstance, *scopes: str) -> SourceProject:
    account = bootstrap_account(instance.env, project=f"Source project {next(_projects)}", scopes=scopes)
    return SourceProject(instance=instance, project_id=account["project_id"], key=account["personal_api_key"])
