#!/usr/bin/env bash
# Build the image and smoke-test `docker compose up` where a Docker engine runs (`make docker-test`):
# health, a bootstrapped key on the REST API, the SDK endpoint, and the posthog-js bundle.
set -euo pipefail
cd "$(dirname "$0")/.."
if ! docker info >/dev/null 2>&1; then
  echo "docker-test: no Docker engine answers here; nothing was built" >&2
  exit 1
fi
export SECRET_KEY="docker-test-$(python3 -c 'import secrets; print(secrets.token_hex(16))')"
export PORT="${PORT:-18000}"
PROJECT="ptapi-docker-test-$$"
compose() { docker compose -p "$PROJECT" "$@"; }
trap 'compose down -v --remove-orphans >/dev/null 2>&1 || true' EXIT

compose build
compose up -d --wait web
BASE="http://127.0.0.1:$PORT"
curl -fsS "$BASE/_health" | grep -q '"status": "ok"'
ACCOUNT=$(compose run --rm -T web python manage.py bootstrap --email docker-test@example.com --json)
KEY=$(printf '%s' "$ACCOUNT" | python3 -c 'import json,sys; print(json.load(sys.stdin)["personal_api_key"])')
TOKEN=$(printf '%s' "$ACCOUNT" | python3 -c 'import json,sys; print(json.load(sys.stdin)["project_api_token"])')
curl -fsS -H "Authorization: Bearer $KEY" "$BASE/api/projects/@current/product_tours/" | grep -q '"results"'
curl -fsS "$BASE/api/product_tours?token=$TOKEN" | grep -q '"product_tours"'
curl -fsS -o /dev/null "$BASE/static/array.js"
docker compose -p "$PROJECT" exec -T web id -u | grep -qv '^0$'
echo "docker-test: image built; compose up, health, API, SDK endpoint and bundles answer; runs as non-root"
