"""The floor: the least a Django view on this machine can do per request — one INSERT or one
SELECT on PostgreSQL, no middleware, no session — served by the same gunicorn settings as Linli
(bench/submit_ratio.py compares the two)."""

import os

import dj_database_url

SECRET_KEY = "floor-bench"
DEBUG = False
ALLOWED_HOSTS = ["127.0.0.1"]
ROOT_URLCONF = "bench.floor.urls"
INSTALLED_APPS: list[str] = []
MIDDLEWARE: list[str] = []
DATABASES = {"default": dj_database_url.parse(os.environ["DATABASE_URL"], conn_max_age=60, conn_health_checks=True)}
USE_TZ = True
