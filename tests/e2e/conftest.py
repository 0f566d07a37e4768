"""A real gunicorn server on the test database and headless Chromium driving posthog-js against it."""

import os
import shutil
import tempfile
from pathlib import Path

import pytest
from django.db import connection

from sdk.assets import asset_path
from tests.live import Server, database_url

PAGES = Path(__file__).resolve().parent / "pages"
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
CHROMEDRIVER = shutil.which("chromedriver")


def _unavailable(reason: str):
    # In CI (.ci/run sets REQUIRE_E2E=1) a missing prerequisite is a failure, never a silent skip.
    if os.environ.get("REQUIRE_E2E"):
        pytest.fail(f"end-to-end prerequisite missing: {reason}")
    pytest.skip(reason)


@pytest.fixture
def e2e_prerequisites():
    if connection.vendor != "postgresql":
        pytest.skip("the browser test runs the real server on PostgreSQL (the SQLite run covers the API)")
    if not CHROMIUM or not CHROMEDRIVER:
        _unavailable("chromium and chromedriver are not installed (scripts/install-browser.sh)")
    if asset_path("array.js") is None or asset_path("product-tours.js") is None:
        _unavailable("posthog-js bundles are not installed (scripts/fetch-posthog-js.sh)")


@pytest.fixture
def live_server_url(e2e_prerequisites, transactional_db):
    env = {
        **os.environ,
        "DATABASE_URL": database_url(connection),
        "WEB_CONCURRENCY": "2",  # as `make run`: every worker must serve what the last write left
        "RATE_LIMIT_ENABLED": "0",
        "SECRET_KEY": "e2e-secret",
        "DEBUG": "0",
        "SDK_TEST_PAGES_DIR": str(PAGES),
    }
    server = Server(env, "--threads", "4")
    try:
        server.wait_ready(healthy=True)
        yield server.url
    finally:
        server.stop()


@pytest.fixture
def browser(e2e_prerequisites):
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in (
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--window-size=1280,900",
    ):
        options.add_argument(flag)
    profile = tempfile.mkdtemp(prefix="e2e-chromium-")
    options.add_argument(f"--user-data-dir={profile}")
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    driver.set_page_load_timeout(30)
    try:
        yield driver
    finally:
        driver.quit()
        shutil.rmtree(profile, ignore_errors=True)
