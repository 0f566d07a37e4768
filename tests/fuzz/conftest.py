"""A real gunicorn serving the app for schemathesis, with two bootstrapped accounts and AI generation
pointed at the fake OpenAI server.

PostgreSQL runs serve the test database itself (hence `transactional_db`: rows must be committed to
be seen by the server); SQLite runs serve a fresh database file of their own, migrated here.
"""

import json
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

import pytest
from django.db import connection

from tests.live import Server, database_url, manage


@dataclass
class Account:
    organization_id: str
    project_id: int
    personal_api_key: str


@dataclass
class LiveServer:
    url: str
    owner: Account
    outsider: Account
    log_path: Path

    def log_tail(self, chars: int = 4000) -> str:
        return self.log_path.read_text(errors="replace")[-chars:]


def _bootstrap_in_process(email: str, organization: str) -> Account:
    from accounts.services import account_bootstrap

    result = account_bootstrap(email=email, organization_name=organization)
    return Account(
        organization_id=str(result.organization.id), project_id=result.project.id, personal_api_key=result.api_key.value
    )


def _bootstrap_command(env: dict, email: str, organization: str) -> Account:
    data = json.loads(manage(env, "bootstrap", "--email", email, "--organization", organization, "--json"))
    return Account(
        organization_id=str(data["organization_id"]),
        project_id=data["project_id"],
        personal_api_key=data["personal_api_key"],
    )


@pytest.fixture
def fuzz_server(transactional_db, fake_openai_url, tmp_path) -> LiveServer:  # noqa: F811
    base_env = {
        **os.environ,
        "SECRET_KEY": "fuzz-secret",
        "DEBUG": "0",
        "RATE_LIMIT_ENABLED": "0",
        "OPENAI_API_KEY": "sk-test-fake",
        "OPENAI_BASE_URL": fake_openai_url,
        "PRODUCT_TOURS_AI_MODEL": "fake-model-1",
        "PRODUCT_TOURS_AI_TIMEOUT_SECONDS": "10",
    }
    if connection.vendor == "postgresql":
        env = {**base_env, "DATABASE_URL": database_url(connection)}
        owner = _bootstrap_in_process("owner@fuzz.example", "Fuzz organization")
        outsider = _bootstrap_in_process("outsider@fuzz.example", "Outsider organization")
    else:
        env = {**base_env, "DATABASE_URL": f"sqlite:///{tmp_path / 'fuzz.sqlite3'}"}
        manage(env, "migrate", "--noinput")
        owner = _bootstrap_command(env, "owner@fuzz.example", "Fuzz organization")
        outsider = _bootstrap_command(env, "outsider@fuzz.example", "Outsider organization")

    server = Server({**env, "WEB_CONCURRENCY": "2"})
    try:
        server.wait_ready(healthy=True)
        yield LiveServer(url=server.url, owner=owner, outsider=outsider, log_path=server.log_path)
    finally:
        server.stop()


@pytest.fixture
def wfc_auth_file(fuzz_server, tmp_path) -> Path:
    """Web Fuzzing Commons auth document: the project's owner, and an outsider from another organization."""
    document = {
        "schemaVersion": "1.0.0",
        "auth": [
            {
                "name": name,
                "fixedHeaders": [{"name": "Authorization", "value": f"Bearer {account.personal_api_key}"}],
            }
            for name, account in (("owner", fuzz_server.owner), ("outsider", fuzz_server.outsider))
        ],
    }
    path = Path(tempfile.mkstemp(prefix="fuzz-auth-", suffix=".json", dir=tmp_path)[1])
    path.write_text(json.dumps(document))
    return path
