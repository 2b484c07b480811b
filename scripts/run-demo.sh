#!/usr/bin/env bash
# Serve the demo on http://127.0.0.1:8000 with a task worker beside it (imports run there).
set -euo pipefail
cd "$(dirname "$0")/.."
export DJANGO_DEBUG=1
.venv/bin/python manage.py demo_logins
.venv/bin/python manage.py db_worker --interval 0.5 >data/worker.log 2>&1 &
worker=$!
# Deadline reminders and overdue notices every 5 minutes (cron does this in production).
(while true; do .venv/bin/python manage.py scan_deadlines --enqueue >>data/worker.log 2>&1; sleep 300; done) &
scanner=$!
trap 'kill $worker $scanner 2>/dev/null || true' EXIT
echo "Linli: http://127.0.0.1:8000  (Ctrl-C stops the server and the worker)"
.venv/bin/python manage.py runserver 127.0.0.1:8000
