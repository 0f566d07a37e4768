#!/usr/bin/env bash
# Lint and type checks, then the whole suite on PostgreSQL (a throwaway cluster unless DATABASE_URL is
# set) and on SQLite.
set -euo pipefail
cd "$(dirname "$0")/.."
export SECRET_KEY="${SECRET_KEY:-test-only-secret-key}"
PYTEST=(.venv/bin/python -m pytest "$@")
# The shared store (rate limits) of the test process and the servers it starts: a throwaway folder.
SCRATCH=$(mktemp -d /tmp/ptapi-test.XXXXXX)
trap 'rm -rf "$SCRATCH"' EXIT
export CACHE_DIR="$SCRATCH/cache"

echo "=== ruff (lint, format) and mypy ==="
.venv/bin/ruff check .
.venv/bin/ruff format --check .
.venv/bin/mypy .

echo "=== PostgreSQL ==="
if [ -n "${DATABASE_URL:-}" ]; then
  "${PYTEST[@]}"
else
  scripts/with-postgres.sh "${PYTEST[@]}"
fi

echo "=== SQLite ==="
DATABASE_URL="sqlite:///$SCRATCH/test.sqlite3" "${PYTEST[@]}"
