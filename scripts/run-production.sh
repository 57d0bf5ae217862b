#!/usr/bin/env bash
# The production setup on one machine, for the load and fault tests: PostgreSQL, N web
# processes (gunicorn, deploy/gunicorn.conf.py) and M task workers (Huey consumers; the first
# runs the periodic scheduler). Ctrl-C or SIGTERM stops them all; so does any of them dying.
#
#   scripts/run-production.sh [--web N] [--workers M] [--demo]
#
# Environment: DATABASE_URL (default: the private test server of scripts/test-postgres.sh,
# database aftersales_production, created if absent), HOST/PORT (127.0.0.1:8000),
# AFTERSALES_VAR_DIR (var/production), AFTERSALES_TASK_BACKEND (sqlite, or redis with
# AFTERSALES_REDIS_URL), AFTERSALES_LOG_FORMAT (json). Logs: $AFTERSALES_VAR_DIR/logs/.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
BIN="$ROOT/.venv/bin"

WEB=2
WORKERS=2
DEMO=0
while [ $# -gt 0 ]; do
  case "$1" in
    --web) WEB="$2"; shift 2 ;;
    --workers) WORKERS="$2"; shift 2 ;;
    --demo) DEMO=1; shift ;;
    -h|--help) sed -n '2,12p' "$0"; exit 0 ;;
    *) echo "unknown argument: $1" >&2; exit 2 ;;
  esac
done
[ "$WEB" -ge 1 ] && [ "$WORKERS" -ge 1 ] || { echo "--web and --workers must be at least 1" >&2; exit 2; }

if [ -z "${DATABASE_URL:-}" ]; then
  DATABASE_URL=$(scripts/test-postgres.sh | sed 's#/aftersales$#/aftersales_production#')
fi
case "$DATABASE_URL" in
  postgres://*|postgresql://*) ;;
  *) echo "run-production.sh runs on PostgreSQL: DATABASE_URL=postgresql://..." >&2; exit 2 ;;
esac
export DATABASE_URL
export DJANGO_SETTINGS_MODULE=aftersales.config.settings
export HOST="${HOST:-127.0.0.1}" PORT="${PORT:-8000}"
export AFTERSALES_VAR_DIR="${AFTERSALES_VAR_DIR:-$ROOT/var/production}"
export AFTERSALES_LOG_FORMAT="${AFTERSALES_LOG_FORMAT:-json}"
export AFTERSALES_WEB_WORKERS="$WEB"
export PROMETHEUS_MULTIPROC_DIR="$AFTERSALES_VAR_DIR/metrics"
LOGS="$AFTERSALES_VAR_DIR/logs"
mkdir -p "$AFTERSALES_VAR_DIR" "$LOGS"

# The database itself (CREATE DATABASE when absent); the password stays in the environment.
"$BIN/python" - <<'PY'
import os
from urllib.parse import unquote, urlsplit

import psycopg
from psycopg import sql

url = urlsplit(os.environ["DATABASE_URL"])
name = unquote(url.path.lstrip("/"))
with psycopg.connect(host=url.hostname, port=url.port or 5432, user=unquote(url.username or ""),
                     password=unquote(url.password or ""), dbname="postgres", autocommit=True) as conn:
    if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone():
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
        print(f"created database {name}")
PY

"$BIN/aftersales" manage migrate --no-input -v 0
"$BIN/aftersales" manage collectstatic --no-input -v 0
"$BIN/aftersales" manage compiletranslations >/dev/null
if [ "$DEMO" = 1 ]; then
  "$BIN/python" -c "import django; django.setup(); from aftersales.demo.loader import demo_is_loaded; raise SystemExit(0 if demo_is_loaded() else 1)" \
    || "$BIN/aftersales" demo
fi

PIDS=()
stop() {
  trap - INT TERM EXIT
  echo "stopping ${#PIDS[@]} process(es)..." >&2
  for pid in "${PIDS[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  for _ in $(seq 1 60); do
    alive=0
    for pid in "${PIDS[@]}"; do kill -0 "$pid" 2>/dev/null && alive=1; done
    [ "$alive" = 0 ] && break
    sleep 0.5
  done
  for pid in "${PIDS[@]}"; do kill -KILL "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
}
trap 'stop; exit 130' INT
trap 'stop; exit 143' TERM
trap stop EXIT

"$BIN/python" -m gunicorn -c deploy/gunicorn.conf.py >>"$LOGS/web.log" 2>&1 &
PIDS+=($!)
for i in $(seq 1 "$WORKERS"); do
  if [ "$i" = 1 ]; then extra=(); else extra=(--no-periodic); fi
  "$BIN/aftersales" worker "${extra[@]}" >>"$LOGS/worker-$i.log" 2>&1 &
  PIDS+=($!)
done

# Ready when /readyz says so (database, migrations, task queue).
ready=0
for _ in $(seq 1 120); do
  if "$BIN/python" -c "import urllib.request,sys; sys.exit(0 if urllib.request.urlopen('http://$HOST:$PORT/readyz', timeout=2).status == 200 else 1)" 2>/dev/null; then
    echo "Aftersales (production setup) ready on http://$HOST:$PORT/ — $WEB web, $WORKERS worker(s); logs in $LOGS" >&2
    echo "ready http://$HOST:$PORT/"
    ready=1
    break
  fi
  for pid in "${PIDS[@]}"; do
    kill -0 "$pid" 2>/dev/null || { echo "a process exited during start-up; see $LOGS" >&2; exit 1; }
  done
  sleep 0.5
done
[ "$ready" = 1 ] || { echo "not ready after 60 s (GET /readyz); see $LOGS" >&2; exit 1; }

# Until one of them stops (then the trap stops the others) or we are told to stop.
set +e
wait -n "${PIDS[@]}"
status=$?
echo "a process exited (status $status); see $LOGS" >&2
exit "$status"
