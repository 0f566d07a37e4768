import json
import urllib.error
import urllib.request

import pytest

from tests.live import free_port


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
