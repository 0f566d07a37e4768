"""Settings: every value comes from the environment (see README, "Configuration")."""

import os
import secrets
import sys
from pathlib import Path

import dj_database_url

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("VAR_DIR", BASE_DIR / "var"))


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str) -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_bool("DEBUG")
SECRET_KEY_FILE = VAR_DIR / "secret_key"


def _secret_key() -> str:
    if os.environ.get("SECRET_KEY"):
        return os.environ["SECRET_KEY"]
    if SECRET_KEY_FILE.exists():
        return SECRET_KEY_FILE.read_text().strip()
    if DEBUG:
        return "insecure-dev-only-" + secrets.token_urlsafe(32)
    sys.stderr.write(
        f"SECRET_KEY is not set and {SECRET_KEY_FILE} does not exist: set SECRET_KEY (or DEBUG=1 for development).\n"
    )
    raise SystemExit(1)


SECRET_KEY = _secret_key()
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", "")
SITE_URL = os.environ.get("SITE_URL", "http://localhost:8000")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "accounts",
    "activity",
    "flags",
    "tours",
    "sdk",
]

MIDDLEWARE = [
    # Outermost: every answer is logged once and carries X-Request-ID (accounts/request_log.py).
    "core.request_log.RequestLogMiddleware",
    "django.middleware.security.SecurityMiddleware",
    # Near the top so answers given early (the 413 envelope) carry X-Frame-Options too.
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "core.middleware.ApiErrorEnvelopeMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
]

# Security headers on every answer (README "Security"). HTTPS redirect and HSTS only when the
# deployment serves HTTPS: SECURE_SSL_REDIRECT=1 (HSTS then defaults to one year).
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
SECURE_REFERRER_POLICY = "same-origin"
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT")
SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS") or 31536000) if SECURE_SSL_REDIRECT else 0
SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = SECURE_SSL_REDIRECT
# Proxies in front that append to X-Forwarded-For (and set X-Forwarded-Proto); 0 = clients connect directly.
TRUSTED_PROXY_COUNT = int(os.environ.get("TRUSTED_PROXY_COUNT", "0"))
if TRUSTED_PROXY_COUNT:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"
APPEND_SLASH = False
CSRF_FAILURE_VIEW = "config.views.csrf_failure"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL") or f"sqlite:///{VAR_DIR / 'db.sqlite3'}",
        conn_max_age=int(os.environ.get("DATABASE_CONN_MAX_AGE", "60")),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # An unreachable database must give a quick 503, not a request hanging on connect.
    DATABASES["default"].setdefault("OPTIONS", {}).setdefault(
        "connect_timeout", int(os.environ.get("DATABASE_CONNECT_TIMEOUT", "5"))
    )
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL + a busy timeout let several gunicorn workers share the file. Each worker keeps its connection
    # (`DATABASE_CONN_MAX_AGE`) as on PostgreSQL: opening one costs about a millisecond (file, pragmas),
    # more than a whole warm public request; in autocommit every statement still sees the latest commit.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {"timeout": 20, "init_command": "PRAGMA journal_mode=WAL;", "transaction_mode": "IMMEDIATE"}
    )
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"

# The store every worker shares (rate-limit counters, core/shared_store.py): Redis when REDIS_URL is set,
# else a diskcache store on local disk that the workers of one machine share. Tour data is never kept
# here: it is remembered per worker under the project's revision (core/revision_memo.py).
REDIS_URL = os.environ.get("REDIS_URL", "")
REDIS_TIMEOUT_SECONDS = float(os.environ.get("REDIS_TIMEOUT_SECONDS", "0.5"))
CACHE_DIR = os.environ.get("CACHE_DIR") or str(VAR_DIR / "cache")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            # A Redis that does not answer must cost a request at most this long (it then fails open).
            "OPTIONS": {"socket_connect_timeout": REDIS_TIMEOUT_SECONDS, "socket_timeout": REDIS_TIMEOUT_SECONDS},
        }
    }
else:
    CACHES = {"default": {"BACKEND": "diskcache.DjangoCache", "LOCATION": CACHE_DIR, "OPTIONS": {"size_limit": 2**26}}}

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}

# Bodies up to this size reach the views; larger ones get a 413 envelope.
DATA_UPLOAD_MAX_MEMORY_SIZE = int(os.environ.get("MAX_REQUEST_BODY_BYTES", str(1024 * 1024)))
# posthog-js capture (/e): events per request (more: 413), bytes per event (larger ones are dropped),
# and how long stored events are kept (`manage.py purge_events`).
CAPTURE_MAX_EVENTS = int(os.environ.get("CAPTURE_MAX_EVENTS", "1000"))
CAPTURE_MAX_EVENT_BYTES = int(os.environ.get("CAPTURE_MAX_EVENT_BYTES", "65536"))
EVENTS_RETENTION_DAYS = int(os.environ.get("EVENTS_RETENTION_DAYS", "90"))

RATE_LIMIT_ENABLED = env_bool("RATE_LIMIT_ENABLED", True)
API_RATE_LIMIT = os.environ.get("API_RATE_LIMIT", "480/minute,4800/hour")
AI_RATE_LIMIT = os.environ.get("AI_RATE_LIMIT", "10/minute,100/day")
# Failed personal API key lookups per client IP (accounts/throttles.py InvalidKeyIPThrottle).
INVALID_KEY_RATE_LIMIT = os.environ.get("INVALID_KEY_RATE_LIMIT", "30/minute,300/hour")
# Per client IP over everything posthog-js calls (/flags, /e, GET /api/product_tours, remote config).
PUBLIC_RATE_LIMIT = os.environ.get("PUBLIC_RATE_LIMIT", "1200/minute")

# `make bench` only: mounts the trivial JSON view `/_bench/floor` (the framework's own limit).
BENCH_FLOOR_VIEW = env_bool("BENCH_FLOOR_VIEW")

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "accounts.authentication.PersonalAPIKeyAuthentication",
        "accounts.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PAGINATION_CLASS": "core.pagination.LimitOffsetPagination",
    "PAGE_SIZE": 100,
    "DEFAULT_PARSER_CLASSES": [
        "core.parsers.JSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "DEFAULT_RENDERER_CLASSES": ["core.renderers.ORJSONRenderer"]
    + (["rest_framework.renderers.BrowsableAPIRenderer"] if DEBUG else []),
    "EXCEPTION_HANDLER": "core.exceptions.exception_handler",
    "DEFAULT_SCHEMA_CLASS": "accounts.schema.ProjectAutoSchema",
    "DEFAULT_THROTTLE_CLASSES": ["core.throttles.PersonalAPIKeyThrottle"],
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
}

SPECTACULAR_SETTINGS = {
    "TITLE": "Product Tours API",
    "DESCRIPTION": "Self-hostable, PostHog-compatible product tours API.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    # No validator badge: Swagger UI would fetch it from validator.swagger.io (every asset stays local).
    "SWAGGER_UI_SETTINGS": {"deepLinking": True, "validatorUrl": None},
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": False,
    # Session auth serves the admin and the browsable API; API clients use personal API keys (bearer).
    "AUTHENTICATION_WHITELIST": ["accounts.authentication.PersonalAPIKeyAuthentication"],
    # Forms are accepted too, but a request body listed under three media types makes generated clients
    # (openapi-python-client) send multipart; JSON is what API clients should send.
    "PARSER_WHITELIST": ["rest_framework.parsers.JSONParser"],
}

# posthog-js bundles (installed by scripts/fetch-posthog-js.sh) and, for the end-to-end test only,
# a folder of test pages served under /_test/.
POSTHOG_JS_DIR = os.environ.get("POSTHOG_JS_DIR", str(VAR_DIR / "posthog-js"))
SDK_TEST_PAGES_DIR = os.environ.get("SDK_TEST_PAGES_DIR", "")

OPENAI_API_KEY = os.environ.get("OPENAI_API_KEY", "")
OPENAI_BASE_URL = os.environ.get("OPENAI_BASE_URL", "")
PRODUCT_TOURS_AI_MODEL = os.environ.get("PRODUCT_TOURS_AI_MODEL", "gpt-4o-mini")
PRODUCT_TOURS_AI_TIMEOUT_SECONDS = float(os.environ.get("PRODUCT_TOURS_AI_TIMEOUT_SECONDS", "30"))
# Most steps a tour's content may have (create, update, publish_draft; a draft save is not validated).
PRODUCT_TOURS_MAX_STEPS = int(os.environ.get("PRODUCT_TOURS_MAX_STEPS", "100"))

# `json` (one object per line, the default unless DEBUG) or `text`; both mask keys and tokens.
LOG_FORMAT = os.environ.get("LOG_FORMAT") or ("text" if DEBUG else "json")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "json": {"()": "core.log_format.JsonFormatter"},
        "text": {"()": "core.log_format.TextFormatter"},
    },
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": LOG_FORMAT}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {
        "django.request": {"level": "ERROR"},
        # runserver's request lines carry query strings: through the masking formatter too.
        "django.server": {"handlers": ["console"], "level": "INFO", "propagate": False},
    },
}
