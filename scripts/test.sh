#!/usr/bin/env bash
# The whole suite on the embedded SQLite default, then again on PostgreSQL.
# With CI=true the PostgreSQL run is required: a stopped server is started, and a server that
# cannot be reached fails the run instead of being skipped.
set -uo pipefail
cd "$(dirname "$0")/.."
PY=.venv/bin/python
export DJANGO_SETTINGS_MODULE=linli.settings DJANGO_SECRET_KEY=test-secret-key-not-for-production
PG_URL="${LINLI_TEST_PG_URL:-postgres://postgres@127.0.0.1:5432/linli}"

pg_ready() { "$PY" - "$PG_URL" <<'PYEOF'
import sys, psycopg, dj_database_url
c = dj_database_url.parse(sys.argv[1])
try:
    psycopg.connect(host=c["HOST"], port=c["PORT"] or 5432, user=c["USER"], dbname="postgres", connect_timeout=3).close()
except Exception as e:
    sys.exit(1)
PYEOF
}

echo "== SQLite =="
unset DATABASE_URL
$PY -m pytest -q -p no:cacheprovider -n "${LINLI_TEST_WORKERS:-auto}" "$@"
sqlite_rc=$?

echo "== PostgreSQL =="
if ! pg_ready && [ "$(id -u)" -eq 0 ] && ls /etc/postgresql >/dev/null 2>&1; then
  echo "PostgreSQL is not answering; starting the installed server."
  pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | sort -V | tail -1)" main start || true
  sleep 2
fi
if pg_ready; then
  DATABASE_URL="$PG_URL" $PY -m pytest -q -p no:cacheprovider -n "${LINLI_TEST_WORKERS:-auto}" "$@"
  pg_rc=$?
elif [ "${CI:-}" = "true" ]; then
  echo "FAIL: CI=true requires PostgreSQL at $PG_URL and it cannot be reached." >&2
  pg_rc=1
else
  echo "PostgreSQL not reachable at $PG_URL: skipped (it is required when CI=true)."
  pg_rc=0
fi
[ $sqlite_rc -eq 0 ] && [ $pg_rc -eq 0 ]
