import json
import subprocess
import sys
import tempfile
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from tests.live import free_port

FAKE_SERVER = Path(__file__).with_name("fake_openai.py")


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


class FakeOpenAI:
    def __init__(self, base_url: str):
        self.base_url = base_url
        self.root = base_url.rsplit("/v1", 1)[0]

    def last_request(self) -> dict | None:
        """The last chat completions request the fake received: {"path", "headers", "body"}."""
        try:
            with urllib.request.urlopen(f"{self.root}/_last", timeout=5) as response:
                return json.loads(response.read())
        except urllib.error.HTTPError as exc:
            if exc.code == 404:
                return None
            raise

    def request_count(self) -> int:
        """How many completions requests the fake has received (a retry would add one)."""
        with urllib.request.urlopen(f"{self.root}/_count", timeout=5) as response:
            return json.loads(response.read())["count"]

    def last_user_prompt(self) -> str:
        messages = self.last_request()["body"]["messages"]
        return next(m["content"] for m in messages if m["role"] == "user")


@pytest.fixture
def ai_settings(settings, fake_openai_url) -> FakeOpenAI:
    """AI generation configured against the fake server."""
    settings.OPENAI_API_KEY = "sk-test-fake"
    settings.OPENAI_BASE_URL = fake_openai_url
    settings.PRODUCT_TOURS_AI_MODEL = "fake-model-1"
    settings.PRODUCT_TOURS_AI_TIMEOUT_SECONDS = 10
    return FakeOpenAI(fake_openai_url)


@pytest.fixture
def closed_port_url() -> str:
    """A base URL on a local port nothing listens on (connection refused)."""
    return f"http://127.0.0.1:{free_port()}/v1"
