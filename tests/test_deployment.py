"""The Dockerfile and docker-compose.yml, checked statically (no Docker engine runs where the suite runs;
`make docker-test` builds and smoke-tests the image where one does)."""

import re
from pathlib import Path

import yaml
from django.conf import settings

from sdk.assets import POSTHOG_JS_VERSION

ROOT = Path(__file__).resolve().parents[1]
DOCKERFILE = (ROOT / "Dockerfile").read_text()
IGNORED = {
    line.strip().rstrip("/")
    for line in (ROOT / ".dockerignore").read_text().splitlines()
    if line.strip() and not line.startswith("#")
}
COMPOSE = yaml.safe_load((ROOT / "docker-compose.yml").read_text())


def runtime_paths() -> set[str]:
    """Top-level files and folders the running app imports or reads."""
    local_apps = {app.split(".")[0] for app in settings.INSTALLED_APPS if (ROOT / app.split(".")[0]).is_dir()}
    return local_apps | {"config", "core", "manage.py", "pyproject.toml"}


def final_stage() -> str:
    return DOCKERFILE.rsplit("\nFROM ", 1)[1]


def test_every_app_and_file_the_settings_need_reaches_the_image():
    assert {"accounts", "flags", "tours", "sdk"} <= runtime_paths()
    assert re.search(r"^COPY \. \.$", final_stage(), re.M), "the image copies the repository (minus .dockerignore)"
    assert not runtime_paths() & IGNORED
    for path in runtime_paths():
        assert (ROOT / path).exists(), path


def test_posthog_js_bundles_come_from_a_node_stage_at_the_pinned_version():
    assert re.search(r"^FROM node:\S+ AS posthog-js$", DOCKERFILE, re.M)
    assert "scripts/fetch-posthog-js.sh --required" in DOCKERFILE  # reads the pin from sdk/assets.py
    assert "COPY sdk/assets.py" in DOCKERFILE and POSTHOG_JS_VERSION
    assert "COPY --from=posthog-js /build/posthog-js /app/posthog-js" in final_stage()
    assert "POSTHOG_JS_DIR=/app/posthog-js" in final_stage()


def test_image_collects_static_runs_as_non_root_and_checks_health():
    stage = final_stage()
    assert "manage.py collectstatic --noinput" in stage
    users = re.findall(r"^USER (\S+)$", stage, re.M)
    assert users and users[-1] not in ("root", "0")
    assert re.search(r"^HEALTHCHECK .*\n?.*/_health", stage, re.M)
    command = re.findall(r"^CMD (.+)$", stage, re.M)[-1]
    assert "gunicorn" in command and "migrate" not in command  # replicas never migrate concurrently


def test_compose_migrates_once_before_web_and_requires_a_secret_key():
    services = COMPOSE["services"]
    assert services["migrate"]["command"][-3:] == ["manage.py", "migrate", "--noinput"]
    assert services["web"]["depends_on"]["migrate"] == {"condition": "service_completed_successfully"}
    assert services["migrate"]["depends_on"]["db"] == {"condition": "service_healthy"}
    for name in ("migrate", "web"):
        environment = services[name]["environment"]
        assert re.fullmatch(r"\$\{SECRET_KEY:\?.+\}", environment["SECRET_KEY"]), "compose refuses to start without it"
        assert environment["REDIS_URL"].startswith("redis://redis:")
        assert environment["DATABASE_URL"].startswith("postgres://")
