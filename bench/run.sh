#!/usr/bin/env bash
# `make bench`: load-test a real gunicorn server on loopback, first on a throwaway PostgreSQL cluster,
# then on SQLite, and write bench/results/latest.md + latest.json (see README, "Performance").
#
# Knobs (environment): BENCH_SECONDS (10), BENCH_WARMUP (3), BENCH_THREADS (2), BENCH_CONNECTIONS (16),
# BENCH_TOOL (wrk | python; default wrk, python when wrk cannot be installed), BENCH_PARTS
# ("postgresql sqlite"), BENCH_ONLY (scenario ids, comma-separated; quick runs), BENCH_TIMEOUT (seconds per database, 600), BENCH_OUT (bench/results).
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
DRIVER_ARGS=(--tool "$TOOL" --seconds "${BENCH_SECONDS:-10}" --warmup "${BENCH_WARMUP:-3}"
  --threads "${BENCH_THREADS:-2}" --connections "${BENCH_CONNECTIONS:-16}")

WORK=$(mktemp -d /tmp/ptapi-bench.XXXXXX)
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
for part in $PARTS; do
  args=(-m bench.driver --part "$part" --out "$WORK/$part.json" --log-dir "$WORK" "${DRIVER_ARGS[@]}")
  echo "bench: === $part ===" >&2
  if [ "$part" = "postgresql" ]; then
    echo "scripts/with-postgres.sh $PY ${args[*]}" | sed "s#$WORK#\$WORK#g" >>"$COMMANDS"
    run_bounded scripts/with-postgres.sh "$PY" "${args[@]}"  # it sets DATABASE_URL for the driver
  else
    echo "DATABASE_URL=sqlite:///\$WORK/bench.sqlite3 $PY ${args[*]}" | sed "s#$WORK#\$WORK#g" >>"$COMMANDS"
    DATABASE_URL="sqlite:///$WORK/bench.sqlite3" run_bounded "$PY" "${args[@]}"
  fi
  PART_FILES+=("$WORK/$part.json")
done

$PY -m bench.report --out-dir "$OUT" --commands-file "$COMMANDS" --total-seconds "$((SECONDS - START))" "${PART_FILES[@]}"
echo "bench: wrote $OUT/latest.md and $OUT/latest.json" >&2
