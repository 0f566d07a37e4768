"""The import source: a second, real instance of this service, and projects bootstrapped on it."""

import itertools
import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import httpx
import psycopg
from django.db import connection

from tests.live import Server
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


def postgres_database(name: str) -> tuple[str, callable]:
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


def new_source_project(instance: SourceInstance, *scopes: str) -> SourceProject:
    account = bootstrap_account(instance.env, project=f"Source project {next(_projects)}", scopes=scopes)
    return SourceProject(instance=instance, project_id=account["project_id"], key=account["personal_api_key"])
