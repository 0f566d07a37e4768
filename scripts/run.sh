#!/usr/bin/env bash
# Serve the API with gunicorn on a database that is migrated and has a demo project.
set -euo pipefail
cd "$(dirname "$0")/.."
mkdir -p var
if [ -z "${SECRET_KEY:-}" ] && [ ! -s var/secret_key ]; then
  (umask 077; .venv/bin/python -c 'import secrets; print(secrets.token_urlsafe(50))' > var/secret_key)
  echo "Generated a SECRET_KEY in var/secret_key"
fi
PY=.venv/bin/python
$PY manage.py migrate --noinput
$PY manage.py collectstatic --noinput >/dev/null
echo "--- Demo account (a new personal API key is created on every start) ---"
$PY manage.py bootstrap --email "${DEMO_EMAIL:-demo@example.com}" --organization "Demo organization" --project "Demo project"
echo
echo "--- Serving on http://${HOST:-127.0.0.1}:${PORT:-8000} ---"
exec .venv/bin/gunicorn -c config/gunicorn.conf.py config.wsgi:application
