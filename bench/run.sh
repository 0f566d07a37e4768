#!/usr/bin/env bash
# `make bench`: load-test a real gunicorn server on loopback, first on a throwaway PostgreSQL cluster with a
# throwaway Redis (production settings), then on SQLite, and write bench/results/latest.md + latest.json
# (docs/performance.md). Standalone measurement modules (MODULES below) run against each database too.
#
# Knobs (environment): BENCH_SECONDS (8), BENCH_WARMUP (2), BENCH_FLOOR_SECONDS (3), BENCH_THREADS (2),
# BENCH_CONNECTIONS (16), BENCH_SOAK_REQUESTS (100000; 0 skips the soak and recycling runs),
# BENCH_TOOL (wrk | python; default wrk, python when wrk cannot be installed), BENCH_PARTS
# ("postgresql sqlite"), BENCH_ONLY (scenario ids, comma-separated; quick runs), BENCH_TIMEOUT (seconds per
# database, 600), BENCH_OUT (bench/results).
set -euo pipefail
cd "$(dirname "$0")/.."

PY=.venv/bin/python
OUT="${BENCH_OUT:-bench/results}"
PARTS="${BENCH_PARTS:-postgresql sqlite}"
LIMIT="${BENCH_TIMEOUT:-600}"
export SECRET_KEY="${BENCH_SECRET_KEY:-bench-only-secret-key}"
unset DEBUG REDIS_URL

TOOL="${BENCH_TOOL:-wrk}"
if [ "$TOOL" = "wrk" ] && ! scripts/install-wrk.sh; then
  echo "bench: wrk is not available; falling back to the multi-process Python client (bench/pyload.py)" >&2
  TOOL=python
fi
DRIVER_ARGS=(--tool "$TOOL" --seconds "${BENCH_SECONDS:-8}" --warmup "${BENCH_WARMUP:-2}"
  --floor-seconds "${BENCH_FLOOR_SECONDS:-3}" --threads "${BENCH_THREADS:-2}" --connections "${BENCH_CONNECTIONS:-16}")
SOAK_REQUESTS="${BENCH_SOAK_REQUESTS:-100000}"

# Standalone measurements owned by other parts of the project: `python -m bench.<name> --database-url URL
# --out FILE.json` writes {"title", "columns", "rows", "targets": [{"name", "measured", "target", "result"}]};
# each that exists runs against each database and becomes a section of the report. Extra arguments for one
# module: BENCH_MODULE_ARGS_<name> (e.g. BENCH_MODULE_ARGS_stats="--events 100000" for a quick run).
MODULES="stats search"
for name in $MODULES; do
  var="BENCH_MODULE_ARGS_$name"
  export "$var=${!var:-}"
done

WORK=$(mktemp -d /tmp/ptapi-bench.XXXXXX)
REDIS_PID=""
RUNNING=""  # pid of the `timeout` wrapping the current driver (its process group holds everything but
            # gunicorn and PostgreSQL, which the driver and scripts/with-postgres.sh stop themselves)
cleanup() {
  status=$?
  if [ -n "$RUNNING" ] && kill -0 "$RUNNING" 2>/dev/null; then
    kill -TERM "$RUNNING" 2>/dev/null || true
    for _ in $(seq 1 60); do kill -0 "$RUNNING" 2>/dev/null || break; sleep 0.5; done
  fi
  # A driver killed outright cannot stop its server: do it here, by the pid it recorded.
  for pidfile in "$WORK"/gunicorn-*.pid; do
    [ -s "$pidfile" ] || continue
    pid=$(cat "$pidfile")
    if kill -0 "$pid" 2>/dev/null; then kill -TERM -- "-$pid" 2>/dev/null || kill -TERM "$pid" 2>/dev/null || true; fi
  done
  if [ "$status" -ne 0 ]; then
    for log in "$WORK"/gunicorn-*.log; do
      [ -f "$log" ] && { echo "--- last lines of $(basename "$log") ---" >&2; tail -n 20 "$log" >&2; }
    done
  fi
  if [ -n "$REDIS_PID" ]; then kill -TERM "$REDIS_PID" 2>/dev/null || true; fi
  rm -rf "$WORK"
  exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

run_bounded() {  # run in the background under `timeout`, so signals to this script reach it at once
  timeout --kill-after=30 "$LIMIT" "$@" &
  RUNNING=$!
  wait "$RUNNING"
  RUNNING=""
}

COMMANDS="$WORK/commands.txt"
echo "make bench   # bench/run.sh, BENCH_TOOL=$TOOL" >"$COMMANDS"
PART_FILES=()
START=$SECONDS
MODULE_FILES=()
# Runs inside the database part (scripts/with-postgres.sh sets DATABASE_URL): every module that exists.
cat >"$WORK/modules.sh" <<'SH'
#!/usr/bin/env bash
set -uo pipefail
part="$1"; work="$2"; shift 2
for name in "$@"; do
  [ -f "bench/$name.py" ] || { echo "bench: module bench.$name not present, skipped" >&2; continue; }
  echo "bench: module bench.$name ($part)" >&2
  var="BENCH_MODULE_ARGS_$name"
  # shellcheck disable=SC2086  # the extra arguments are words
  .venv/bin/python -m "bench.$name" --database-url "$DATABASE_URL" --out "$work/module-$name-$part.json" ${!var:-} \
    || echo "bench: module bench.$name failed on $part (python -m bench.$name --database-url URL --out FILE.json ${!var:-})" >&2
done
SH
chmod +x "$WORK/modules.sh"

REDIS=""
start_redis() {  # a throwaway Redis for the PostgreSQL part, as production runs with one (sets REDIS, REDIS_PID)
  scripts/install-redis.sh >/dev/null || return 1
  port=$($PY -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
  redis-server --port "$port" --bind 127.0.0.1 --save "" --appendonly no --daemonize no >"$WORK/redis.log" 2>&1 &
  REDIS_PID=$!
  for _ in $(seq 1 50); do redis-cli -p "$port" ping >/dev/null 2>&1 && break; sleep 0.1; done
  REDIS="redis://127.0.0.1:$port/0"
}

for part in $PARTS; do
  args=(-m bench.driver --part "$part" --out "$WORK/$part.json" --log-dir "$WORK" "${DRIVER_ARGS[@]}")
  echo "bench: === $part ===" >&2
  if [ "$part" = "postgresql" ]; then
    start_redis || { echo "bench: redis-server is not available" >&2; exit 1; }
    args+=(--soak-requests "$SOAK_REQUESTS")
    echo "REDIS_URL=redis://127.0.0.1:\$PORT/0 scripts/with-postgres.sh $PY ${args[*]}" | sed "s#$WORK#\$WORK#g" >>"$COMMANDS"
    # scripts/with-postgres.sh sets DATABASE_URL for the driver, then the modules run on the same database.
    REDIS_URL="$REDIS" run_bounded scripts/with-postgres.sh bash -c \
      "$PY ${args[*]} && $WORK/modules.sh $part $WORK $MODULES"
  else
    echo "DATABASE_URL=sqlite:///\$WORK/bench.sqlite3 $PY ${args[*]}" | sed "s#$WORK#\$WORK#g" >>"$COMMANDS"
    DATABASE_URL="sqlite:///$WORK/bench.sqlite3" run_bounded bash -c "$PY ${args[*]} && $WORK/modules.sh $part $WORK $MODULES"
  fi
  PART_FILES+=("$WORK/$part.json")
  for name in $MODULES; do
    [ -f "$WORK/module-$name-$part.json" ] && MODULE_FILES+=(--module "$name:$part:$WORK/module-$name-$part.json")
  done
done

$PY -m bench.report --out-dir "$OUT" --commands-file "$COMMANDS" --total-seconds "$((SECONDS - START))" \
  "${MODULE_FILES[@]}" "${PART_FILES[@]}"
echo "bench: wrote $OUT/latest.md and $OUT/latest.json" >&2
