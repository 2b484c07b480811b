#!/usr/bin/env bash
# The nightly jobs: people counted for the dashboard, classifiers retrained, expired rows purged.
set -u
cd "$(dirname "$0")/.."
rc=0
for job in count_population retrain_classifiers purge_expired; do
  .venv/bin/python manage.py "$job" -v 0 || { echo "nightly: $job failed" >&2; rc=1; }
done
exit $rc
