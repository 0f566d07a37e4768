#!/usr/bin/env bash
# Server comparison behind docs/performance.md ("Which server"): gunicorn with the production config and
# granian (2 workers, WSGI interface), each serving bench/wsgi.py on SQLite, measured with wrk on the bare
# floor (a 1,900-byte static answer) and on GET /api/product_tours with gzip. granian is not a dependency:
#   .venv/bin/pip install granian && bench/servers.sh
set -euo pipefail
cd "$(dirname "$0")/.."
command -v .venv/bin/granian >/dev/null || { echo "bench/servers.sh: install granian first (.venv/bin/pip install granian)" >&2; exit 1; }
D=$(mktemp -d)
trap 'rm -rf "$D"' EXIT
PORT=$(.venv/bin/python -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
export PORT
export SECRET_KEY=x CACHE_DIR=$D/c DATABASE_URL=sqlite:///$D/db.sqlite3 LOG_LEVEL=INFO LOG_FORMAT=json RATE_LIMIT_ENABLED=1 \
  PUBLIC_RATE_LIMIT=1000000000/minute BENCH_FLOOR_VIEW=1 BENCH_BARE_DIR=$D/bare WEB_CONCURRENCY=2
mkdir -p $D/bare
.venv/bin/python - <<'PY' > $D/token
import os, sys
sys.path.insert(0, ".")
os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings"
import django; django.setup()
from django.core.management import call_command
call_command("migrate", verbosity=0)
from bench.seed import seed
s = seed(plan={"site": (10, 10)})
print(s.projects["site"]["token"])
PY
TOKEN=$(cat $D/token)
.venv/bin/python - "$D/bare" <<'PY'
import base64, json, sys
body = b'{"filler":"' + b"x" * 1900 + b'"}'
json.dump({"status": "200 OK", "headers": [["Content-Type", "application/json"]], "body": base64.b64encode(body).decode()}, open(sys.argv[1] + "/b.json", "w"))
PY
run() {  # name, command...
  name=$1; shift
  "$@" > "$D/server.log" 2>&1 &
  pid=$!
  for _ in $(seq 1 100); do curl -s -o /dev/null http://127.0.0.1:$PORT/_health && break; sleep 0.2; done
  for path in "/_bench/bare/b" "/api/product_tours?token=$TOKEN"; do
    wrk -t2 -c16 -d2s -H "Accept-Encoding: gzip" "http://127.0.0.1:$PORT$path" > /dev/null
    echo "$name ${path%%\?*} $(wrk -t2 -c16 -d6s -H 'Accept-Encoding: gzip' "http://127.0.0.1:$PORT$path" | grep -E 'Requests/sec')"
  done
  kill -TERM $pid; wait $pid 2>/dev/null || true
}
for round in 1 2; do
  HOST=127.0.0.1 run "gunicorn($round)" .venv/bin/gunicorn -c config/gunicorn.conf.py bench.wsgi:application
  run "granian($round)" .venv/bin/granian --interface wsgi --host 127.0.0.1 --port "$PORT" --workers 2 \
    --blocking-threads 1 --no-ws bench.wsgi:application
done
