#!/usr/bin/env bash
# System packages Linli needs beyond Python: gettext (compile translations), pg_dump and
# pg_restore (backups), Chromium and
# CJK fonts (browser tests). Installed from Debian's packages when missing; never downloaded
# by a test tool at run time.
set -euo pipefail
need=()
command -v msgfmt >/dev/null || need+=(gettext)
command -v pg_dump >/dev/null || need+=(postgresql-client)  # manage.py backup / restore
[ -x /usr/bin/chromium ] || need+=(chromium)
dpkg -s fonts-noto-cjk >/dev/null 2>&1 || need+=(fonts-noto-cjk)
[ ${#need[@]} -eq 0 ] && exit 0
if [ "$(id -u)" -ne 0 ]; then
  echo "Missing system packages: ${need[*]} (run: sudo apt-get install ${need[*]})" >&2
  exit 1
fi
echo "Installing system packages: ${need[*]}"
apt-get update -qq
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null
