"""Security headers on API answers, HTTPS-only settings from the environment, DEBUG off by default."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from rest_framework.test import APIClient

ROOT = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.django_db


def assert_security_headers(response):
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["X-Frame-Options"] == "DENY"
    assert response["Referrer-Policy"] == "same-origin"
    assert "Strict-Transport-Security" not in response  # plain-HTTP deployments must not pin HTTPS


@pytest.mark.parametrize(
    ("how", "status"),
    [
        ("key", 200),
        ("no credentials", 401),
        ("bad key", 401),
        ("unknown path", 404),
        ("oversize body", 413),
        ("public sdk", 200),
        ("public sdk bad token", 401),
        ("health", 200),
    ],
)
def test_security_headers_on_every_kind_of_answer(tenant, settings, how, status):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 100
    anon = APIClient()
    token = tenant.project.api_token
    response = {
        "key": lambda: tenant.client.get(tenant.url("product_tours/")),
        "no credentials": lambda: anon.get(tenant.url("product_tours/")),
        "bad key": lambda: anon.get(tenant.url(), HTTP_AUTHORIZATION="Bearer phx_nope"),
        "unknown path": lambda: tenant.client.get("/api/nothing/here/"),
        "oversize body": lambda: tenant.client.post(tenant.url("product_tours/"), {"name": "x" * 200}, format="json"),
        "public sdk": lambda: anon.get("/api/product_tours", {"token": token}),
        "public sdk bad token": lambda: anon.get("/api/product_tours", {"token": "phc_nope"}),
        "health": lambda: anon.get("/_health"),
    }[how]()
    assert response.status_code == status
    assert_security_headers(response)


def test_https_redirect_and_hsts_when_ssl_redirect_is_on(tenant, settings):
    settings.SECURE_SSL_REDIRECT = True
    settings.SECURE_HSTS_SECONDS = 31536000
    client = APIClient()  # middleware reads these settings when the client's handler first loads
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {tenant.key}")
    plain = client.get(tenant.url())
    assert plain.status_code == 301
    assert plain["Location"] == f"https://testserver{tenant.url()}"
    secure = client.get(tenant.url(), secure=True)
    assert secure.status_code == 200
    assert secure["Strict-Transport-Security"] == "max-age=31536000"


def test_debug_is_off_in_the_test_settings():
    assert settings.DEBUG is False


def settings_from_env(**env) -> dict:
    """The settings module evaluated in a fresh process with only these variables (plus a secret)."""
    code = (
        "import json, django; django.setup(); from django.conf import settings as s; print(json.dumps({"
        "'DEBUG': s.DEBUG, 'SECURE_SSL_REDIRECT': s.SECURE_SSL_REDIRECT, 'SECURE_HSTS_SECONDS': s.SECURE_HSTS_SECONDS,"
        "'SESSION_COOKIE_SECURE': s.SESSION_COOKIE_SECURE, 'CSRF_COOKIE_SECURE': s.CSRF_COOKIE_SECURE,"
        "'SECURE_PROXY_SSL_HEADER': s.SECURE_PROXY_SSL_HEADER, 'TRUSTED_PROXY_COUNT': s.TRUSTED_PROXY_COUNT,"
        "'INVALID_KEY_RATE_LIMIT': s.INVALID_KEY_RATE_LIMIT, 'LOG_FORMAT': s.LOG_FORMAT,"
        "'formatter': s.LOGGING['handlers']['console']['formatter'],"
        "'connect_timeout': s.DATABASES['default'].get('OPTIONS', {}).get('connect_timeout')}))"
    )
    clean = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "SECRET_KEY": "settings-test",
        "DATABASE_URL": "postgres://u@127.0.0.1:5432/db",  # parsed only, never connected to
        **env,
    }
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=clean, capture_output=True, text=True, timeout=60, check=True
    )
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_defaults_are_safe_for_plain_http():
    values = settings_from_env()
    assert values["DEBUG"] is False
    assert values["SECURE_SSL_REDIRECT"] is False
    assert values["SECURE_HSTS_SECONDS"] == 0
    assert values["SESSION_COOKIE_SECURE"] is False
    assert values["SECURE_PROXY_SSL_HEADER"] is None
    assert values["TRUSTED_PROXY_COUNT"] == 0
    assert values["INVALID_KEY_RATE_LIMIT"] == "30/minute,300/hour"
    assert values["LOG_FORMAT"] == values["formatter"] == "json"
    assert values["connect_timeout"] == 5


def test_https_settings_from_the_environment():
    values = settings_from_env(SECURE_SSL_REDIRECT="1", TRUSTED_PROXY_COUNT="1", DATABASE_CONNECT_TIMEOUT="2")
    assert values["SECURE_SSL_REDIRECT"] is True
    assert values["SECURE_HSTS_SECONDS"] == 31536000
    assert values["SESSION_COOKIE_SECURE"] is values["CSRF_COOKIE_SECURE"] is True
    assert values["SECURE_PROXY_SSL_HEADER"] == ["HTTP_X_FORWARDED_PROTO", "https"]
    assert values["connect_timeout"] == 2
    assert settings_from_env(SECURE_SSL_REDIRECT="1", SECURE_HSTS_SECONDS="600")["SECURE_HSTS_SECONDS"] == 600
    # HSTS only with the redirect: a plain-HTTP deployment never pins browsers to HTTPS by accident.
    assert settings_from_env(SECURE_HSTS_SECONDS="600")["SECURE_HSTS_SECONDS"] == 0


def test_log_format_follows_the_environment():
    assert settings_from_env(LOG_FORMAT="text")["formatter"] == "text"
    assert settings_from_env(DEBUG="1")["formatter"] == "text"
    assert settings_from_env(DEBUG="1", LOG_FORMAT="json")["formatter"] == "json"
