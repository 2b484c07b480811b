#!/usr/bin/env bash
# The backup drill: the demo community on PostgreSQL is backed up, restored into another empty
# database and data folder, and every table compared (rows and checksums) — manage.py restore
# refuses to finish otherwise. Prints sizes and times.
#   bash scripts/backup_drill.sh        (PostgreSQL at 127.0.0.1:5432; databases linli_drill_*)
set -euo pipefail
cd "$(dirname "$0")/.."
PG=${LINLI_DRILL_PG:-postgres://postgres@127.0.0.1:5432}
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
export DJANGO_SECRET_KEY=drill-secret-key-$(date +%s) LINLI_LOG_LEVEL=WARNING
export LINLI_FIELD_KEYS=$(.venv/bin/python -c "from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())")
for db in linli_drill_src linli_drill_dst; do
  psql -q "$PG/postgres" -c "DROP DATABASE IF EXISTS $db WITH (FORCE)" -c "CREATE DATABASE $db"
done
echo "== the demo community into linli_drill_src"
DATABASE_URL=$PG/linli_drill_src LINLI_DATA_DIR=$WORK/src .venv/bin/python manage.py migrate -v 0
DATABASE_URL=$PG/linli_drill_src LINLI_DATA_DIR=$WORK/src .venv/bin/python manage.py seed_demo >/dev/null
echo "== backup"
DATABASE_URL=$PG/linli_drill_src LINLI_DATA_DIR=$WORK/src .venv/bin/python manage.py backup --to "$WORK/backups"
folder=$(ls -d "$WORK"/backups/linli-*)
ls -l "$folder" | tail -n +2
echo "== restore into linli_drill_dst (empty) and compare every table"
DATABASE_URL=$PG/linli_drill_dst LINLI_DATA_DIR=$WORK/dst .venv/bin/python manage.py restore --from "$folder"
echo "== the restored copy serves: residents readable, migrations current"
DATABASE_URL=$PG/linli_drill_dst LINLI_DATA_DIR=$WORK/dst .venv/bin/python manage.py migrate --check -v 0 && echo "migrations: up to date"
DATABASE_URL=$PG/linli_drill_dst LINLI_DATA_DIR=$WORK/dst .venv/bin/python manage.py shell -v 0 -c \
  "from linli.registry.models import Resident; r = Resident.objects.exclude(phone='').first(); print('residents:', Resident.objects.count(), '· a phone decrypts to', len(r.phone), 'digits')"
for db in linli_drill_src linli_drill_dst; do psql -q "$PG/postgres" -c "DROP DATABASE IF EXISTS $db WITH (FORCE)"; done
