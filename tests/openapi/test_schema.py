"""The OpenAPI schema: generated with zero warnings, equal to the committed snapshot, served at
`/api/schema/` (YAML and JSON), and browsable at `/api/docs/` and `/api/redoc/` with local assets only."""

import difflib
import json
import re

import pytest
import yaml
from django.core.management import call_command
from django.test import Client, override_settings

from tests.support.openapi import SNAPSHOT

REGENERATE = "make schema"


def test_schema_generates_with_zero_warnings_and_validates(generated_schema):
    # `--validate --fail-on-warn`: a warning or an invalid OpenAPI document makes the command fail.
    assert generated_schema.returncode == 0, generated_schema.stderr
    assert "Warning" not in generated_schema.stderr, generated_schema.stderr
    assert "Error" not in generated_schema.stderr, generated_schema.stderr
    assert generated_schema.data["openapi"].startswith("3.")


def test_committed_snapshot_matches_the_generated_schema(generated_schema):
    assert generated_schema.returncode == 0, generated_schema.stderr
    committed = SNAPSHOT.read_text() if SNAPSHOT.exists() else ""
    if committed != generated_schema.text:
        diff = "".join(
            difflib.unified_diff(
                committed.splitlines(keepends=True),
                generated_schema.text.splitlines(keepends=True),
                "openapi/schema.yml (committed)",
                "generated",
                n=2,
            )
        )
        lines = diff.splitlines()
        excerpt = "\n".join(lines[:80]) + (f"\n… {len(lines) - 80} more diff lines" if len(lines) > 80 else "")
        pytest.fail(f"The API schema changed; regenerate the snapshot with `{REGENERATE}`.\n{excerpt}")


def test_served_yaml_and_json_equal_the_generated_schema(client, schema):
    response = client.get("/api/schema/")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.oai.openapi")
    assert yaml.safe_load(response.content) == schema

    response = client.get("/api/schema/?format=json")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.oai.openapi+json")
    assert json.loads(response.content) == schema

    # Trailing slash optional, as on every route.
    assert client.get("/api/schema").status_code == 200


def test_schema_needs_no_authentication_and_is_the_full_schema(client, schema):
    body = yaml.safe_load(client.get("/api/schema/").content)
    assert "/api/projects/{project_id}/product_tours/" in body["paths"]


ASSET = re.compile(r"""(?:src|href)=["']([^"']+)["']""")


@pytest.fixture(scope="module")
def static_root(tmp_path_factory):
    """`collectstatic` into a fresh STATIC_ROOT, as `make run` does before starting gunicorn."""
    root = tmp_path_factory.mktemp("static")
    with override_settings(STATIC_ROOT=root):
        call_command("collectstatic", "--noinput", verbosity=0)
    return root


@pytest.fixture
def collected_static(settings, static_root):
    settings.STATIC_ROOT = static_root  # WhiteNoise serves it
    return static_root


@pytest.mark.parametrize(
    ("page", "expected_assets", "schema_reference"),
    [
        (
            "/api/docs/",
            {
                "/static/drf_spectacular_sidecar/swagger-ui-dist/swagger-ui.css",
                "/static/drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js",
                "/static/drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-standalone-preset.js",
                "/static/drf_spectacular_sidecar/swagger-ui-dist/favicon-32x32.png",
            },
            'url: "/api/schema"',
        ),
        (
            "/api/redoc/",
            {"/static/drf_spectacular_sidecar/redoc/bundles/redoc.standalone.js"},
            'spec-url="/api/schema"',
        ),
    ],
)
def test_docs_pages_load_only_local_assets_and_they_are_served(
    collected_static, page, expected_assets, schema_reference
):
    client = Client()  # a fresh handler, so WhiteNoise reads the STATIC_ROOT above
    response = client.get(page)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/html")
    html = response.content.decode()
    assets = set(ASSET.findall(html))
    assert assets == expected_assets
    assert "https://" not in html and "http://" not in html  # no CDN, no web fonts, no validator badge
    assert schema_reference in html
    for asset in assets:
        static = client.get(asset)
        assert static.status_code == 200, asset
        assert b"".join(static.streaming_content if static.streaming else [static.content])
    assert client.get("/api/schema").status_code == 200
    assert client.get(page.rstrip("/")).status_code == 200


def test_swagger_ui_disables_the_remote_validator(client):
    html = client.get("/api/docs/").content.decode()
    assert '"validatorUrl": null' in html
