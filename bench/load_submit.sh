#!/usr/bin/env bash
# Requests per second of the appeal-submit API on PostgreSQL, next to a trivial Django view
# (/healthz: one SELECT 1), both served by gunicorn and loaded by wrk from a second process.
#   bash bench/load_submit.sh            (needs wrk: apt-get install wrk)
set -euo pipefail
cd "$(dirname "$0")/.."
PORT=${PORT:-8765}
DB=${BENCH_DB:-linli_load}
DURATION=${DURATION:-20s}
CONNS=${CONNS:-16}
export DJANGO_SECRET_KEY=bench-secret DJANGO_ALLOWED_HOSTS=127.0.0.1 LINLI_DATA_DIR=$(mktemp -d)
export DATABASE_URL=postgres://postgres@127.0.0.1:5432/$DB DB_PERSISTENT=true LINLI_LOG_LEVEL=WARNING
psql -q -h 127.0.0.1 -U postgres -c "DROP DATABASE IF EXISTS $DB" -c "CREATE DATABASE $DB" 2>/dev/null
.venv/bin/python manage.py migrate -v0
.venv/bin/python manage.py seed_demo >/dev/null
.venv/bin/gunicorn linli.wsgi -w 4 -b 127.0.0.1:$PORT --log-level warning &
GPID=$!
trap 'kill $GPID 2>/dev/null || true' EXIT
for i in $(seq 1 50); do curl -sf http://127.0.0.1:$PORT/healthz >/dev/null && break; sleep 0.2; done
JAR=$(mktemp)
curl -s -c $JAR -b $JAR http://127.0.0.1:$PORT/login/ >/dev/null
CSRF=$(awk '/csrftoken/ {print $7}' $JAR)
curl -s -c $JAR -b $JAR -o /dev/null -X POST -H "Referer: http://127.0.0.1:$PORT/login/" \
  -d "csrfmiddlewaretoken=$CSRF&username=resident&password=linli-demo-2026" http://127.0.0.1:$PORT/login/
SESSION=$(awk '/sessionid/ {print $7}' $JAR)
[ -n "$SESSION" ] || { echo "login failed" >&2; exit 1; }
CSRF=$(awk '/csrftoken/ {print $7}' $JAR)
PLACE=$(.venv/bin/python manage.py shell -v 0 -c "from linli.accounts.models import User; print(User.objects.get(username='resident').resident.household.dwelling_id)")
LUA=$(mktemp --suffix=.lua)
cat > $LUA <<LUAEOF
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Cookie"] = "sessionid=$SESSION; csrftoken=$CSRF"
wrk.headers["X-CSRFToken"] = "$CSRF"
wrk.headers["Referer"] = "http://127.0.0.1:$PORT/"
wrk.body = '{"place_id": $PLACE, "description": "楼道灯不亮，晚上看不见，请尽快维修"}'
LUAEOF
curl -s -o /dev/null -w "probe POST: %{http_code}\n" -X POST -H "Content-Type: application/json" -H "Cookie: sessionid=$SESSION; csrftoken=$CSRF" \
  -H "X-CSRFToken: $CSRF" -d "{\"place_id\": $PLACE, \"description\": \"probe\"}" http://127.0.0.1:$PORT/api/appeals/
echo "== trivial view GET /healthz (c=$CONNS, $DURATION)"
wrk -t2 -c$CONNS -d$DURATION --latency http://127.0.0.1:$PORT/healthz | grep -E "Requests/sec|Latency|99%|Non-2xx"
echo "== appeal submit POST /api/appeals/ (c=$CONNS, $DURATION)"
wrk -t2 -c$CONNS -d$DURATION --latency -s $LUA http://127.0.0.1:$PORT/api/appeals/ | grep -E "Requests/sec|Latency|99%|Non-2xx"
echo "appeals created: $(.venv/bin/python manage.py shell -v 0 -c "from linli.appeals.models import Appeal; print(Appeal.objects.filter(channel='api').count())")"
