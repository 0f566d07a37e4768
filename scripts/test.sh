#!/usr/bin/env bash
# The whole suite, on PostgreSQL (a throwaway cluster unless DATABASE_URL is set) and on SQLite.
set -euo pipefail
cd "$(dirname "$0")/.."
export SECRET_KEY="${SECRET_KEY:-test-only-secret-key}"
PYTEST=(.venv/bin/python -m pytest "$@")

echo "=== PostgreSQL ==="
if [ -n "${DATABASE_URL:-}" ]; then
  "${PYTEST[@]}"
else
  scripts/with-postgres.sh "${PYTEST[@]}"
fi

echo "=== SQLite ==="
SQLITE_DIR=$(mktemp -d /tmp/ptapi-sqlite.XXXXXX)
trap 'rm -rf "$SQLITE_DIR"' EXIT
DATABASE_URL="sqlite:///$SQLITE_DIR/test.sqlite3" "${PYTEST[@]}"
