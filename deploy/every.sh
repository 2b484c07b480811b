#!/usr/bin/env bash
# every.sh SECONDS COMMAND...: run COMMAND now and then every SECONDS (cron for `make serve`;
# systemd timers do this on a server). A failed run is reported and the loop goes on.
set -u
interval=$1; shift
while true; do
  "$@" || echo "every.sh: '$*' failed with $?" >&2
  sleep "$interval"
done
