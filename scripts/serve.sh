#!/usr/bin/env bash
# `make serve`: Linli in its production configuration on this machine — gunicorn with DEBUG off,
# compressed and fingerprinted static files, the task worker, the deadline scan and the nightly
# jobs, all under honcho (deploy/Procfile). State lives in $LINLI_DATA_DIR (data/serve by default;
# the SQLite file unless DATABASE_URL names PostgreSQL). Its secrets are generated once into
# $LINLI_DATA_DIR/production.env (mode 600); anything set in the environment wins.
#
# It expects the TLS proxy in front (deploy/nginx.conf): plain HTTP is redirected to HTTPS.
# To try it on one machine without the proxy: LINLI_HTTPS=false make serve (not for production).
set -euo pipefail
cd "$(dirname "$0")/.."
export LINLI_DATA_DIR="${LINLI_DATA_DIR:-$PWD/data/serve}"
mkdir -p "$LINLI_DATA_DIR"
ENV_FILE="$LINLI_DATA_DIR/production.env"
if [ ! -f "$ENV_FILE" ]; then
  umask 077
  .venv/bin/python - "$ENV_FILE" <<'PYEOF'
import secrets, sys
from cryptography.fernet import Fernet
with open(sys.argv[1], "w") as f:
    f.write(f"DJANGO_SECRET_KEY={secrets.token_urlsafe(50)}\n")
    f.write(f"LINLI_FIELD_KEYS={Fernet.generate_key().decode()}\n")
    f.write(f"LINLI_DIGEST_KEY={secrets.token_urlsafe(32)}\n")
PYEOF
  echo "serve: wrote fresh secrets to $ENV_FILE (keep it: the field keys decrypt ID numbers and phones)"
fi
# The file's values, unless the environment already sets them.
# (Split at the first "=" only: Fernet keys end in "=" padding, which `read` with IFS="=" drops.)
while IFS= read -r line; do
  case "$line" in ''|'#'*) continue ;; esac
  key="${line%%=*}" value="${line#*=}"
  [ -z "${!key:-}" ] && export "$key=$value"
done < "$ENV_FILE"
export DJANGO_DEBUG=false LINLI_COLLECTED_STATIC=true
export LINLI_HTTPS="${LINLI_HTTPS:-true}" DB_PERSISTENT="${DB_PERSISTENT:-true}"
export DJANGO_ALLOWED_HOSTS="${DJANGO_ALLOWED_HOSTS:-127.0.0.1,localhost}"
# `scripts/serve.sh manage createsuperuser`: a management command in the same configuration.
if [ "${1:-}" = manage ]; then shift; exec .venv/bin/python manage.py "$@"; fi
.venv/bin/python manage.py migrate --no-input -v 0
.venv/bin/python manage.py collectstatic --no-input -v 0
if [ "$LINLI_HTTPS" = true ]; then
  .venv/bin/python manage.py check --deploy --fail-level WARNING
else
  echo "serve: LINLI_HTTPS=false — plain HTTP, for a trial only; check --deploy says:"
  .venv/bin/python manage.py check --deploy || true
fi
echo "Linli (production configuration): ${LINLI_BIND:-127.0.0.1:8000}, data in $LINLI_DATA_DIR"
echo "First administrator: bash scripts/serve.sh manage createsuperuser"
exec .venv/bin/honcho start -f deploy/Procfile -d .
