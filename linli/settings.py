"""Linli settings, read from the environment.

With nothing set, Linli runs on an embedded SQLite file under ``data/`` in the checkout;
``DATABASE_URL=postgres://...`` runs it on PostgreSQL, the production database.
Every setting that has no safe default is read by ``linli.core.conf`` helpers that fail loudly.
"""

from datetime import timedelta
from pathlib import Path

import dj_database_url
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured

from linli.core.conf import env_bool, env_int, env_list, env_str

BASE_DIR = Path(__file__).resolve().parent.parent
DATA_DIR = Path(env_str("LINLI_DATA_DIR", str(BASE_DIR / "data")))
DATA_DIR.mkdir(parents=True, exist_ok=True)

DEBUG = env_bool("DJANGO_DEBUG", False)
# A development key is accepted only with DEBUG on; production must set its own.
SECRET_KEY = env_str("DJANGO_SECRET_KEY", "dev-insecure-key-change-me" if DEBUG else None)
# Key for field encryption of ID numbers and phones (Fernet keys, comma-separated: the
# first encrypts, all decrypt, so keys can be rotated). Derived from SECRET_KEY when unset.
LINLI_FIELD_KEYS = env_list("LINLI_FIELD_KEYS", [])
# Secret of the keyed digests (look-ups, tracking links): it stays when the field keys rotate.
# Unset, the first field key serves (see linli/core/keys.py before rotating).
LINLI_DIGEST_KEY = env_str("LINLI_DIGEST_KEY", "")
ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", ["127.0.0.1", "localhost", "testserver"])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "csp",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",  # Swagger UI files, collected with ours (offline)
    "django_htmx",
    "django_tasks",
    "django_tasks_db",
    "axes",
    "treebeard",
    "linli.core",
    "linli.accounts",
    "linli.registry",
    "linli.appeals",
    "linli.councils",
    "linli.wishes",
    "linli.volunteers",
    "linli.resident_services",
    "linli.notices",
    "linli.mediation",
    "linli.projects",
    "linli.gridwork",
    "linli.dashboard",
    "linli.ops",
    "linli.portal",
    "linli.api",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Static files (compressed, fingerprinted, far-future cache) before anything touches a session.
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "csp.middleware.CSPMiddleware",
    "linli.core.middleware.DatabaseUnavailableMiddleware",
    "linli.core.middleware.RejectBadInputMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "linli.core.middleware.SessionIdleMiddleware",
    "linli.core.middleware.ChineseFirstMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    # Last, as django-axes asks: it needs the authenticated user.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "linli.urls"
WSGI_APPLICATION = "linli.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "linli" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "linli.portal.context_processors.menu",
            ],
        },
    },
]

# Covering indexes (INCLUDE) are a PostgreSQL optimisation (the dashboard's live counts, the
# inbox badge); on the embedded SQLite the key columns alone are indexed, which is what W040 says.
SILENCED_SYSTEM_CHECKS = ["models.W040"]

# Persistent connections (DB_PERSISTENT, what production sets) are checked before each request
# reuses them (CONN_HEALTH_CHECKS): after a PostgreSQL restart the next request reconnects
# instead of failing on a dead socket. A server that does not answer fails the request in
# LINLI_DB_CONNECT_TIMEOUT seconds with a 503 (core/middleware.py), never a hung worker.
_DB_PERSISTENT_SECONDS = (env_bool("DB_PERSISTENT", False) and 60) or 0
_DB_CONNECT_TIMEOUT = env_int("LINLI_DB_CONNECT_TIMEOUT", 3, minimum=1)


def _database(config: dict) -> dict:
    options = config.setdefault("OPTIONS", {})
    if config["ENGINE"] == "django.db.backends.postgresql":
        options.setdefault("connect_timeout", _DB_CONNECT_TIMEOUT)
    elif config["ENGINE"] == "django.db.backends.sqlite3":
        # WAL lets the task worker and the web server share the file without "database is locked".
        options.update({"init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;", "timeout": 20})
    return config


DATABASES = {
    "default": _database(
        dj_database_url.config(
            default=f"sqlite:///{DATA_DIR / 'linli.sqlite3'}", conn_max_age=_DB_PERSISTENT_SECONDS, conn_health_checks=True
        )
    )
}
# A streaming replica for dashboards, reports and exports (linli/core/replica.py): reads inside
# `reporting()` go there, everything else to the primary. Tests mirror it onto the primary.
LINLI_REPLICA_URL = env_str("LINLI_REPLICA_URL", "")
if LINLI_REPLICA_URL:
    DATABASES["replica"] = _database(
        dj_database_url.parse(LINLI_REPLICA_URL, conn_max_age=_DB_PERSISTENT_SECONDS, conn_health_checks=True)
    ) | {"TEST": {"MIRROR": "default"}}
DATABASE_ROUTERS = ["linli.core.replica.ReplicaRouter"]
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# Sessions end on logout (Django flushes them) and after 30 idle minutes: requests push the
# expiry forward (at most once a LINLI_SESSION_REFRESH_SECONDS, core/middleware.SessionIdleMiddleware,
# instead of a session write on every request), so only idleness ends a session.
SESSION_COOKIE_AGE = env_int("LINLI_SESSION_IDLE_SECONDS", 1800, minimum=120)
LINLI_SESSION_REFRESH_SECONDS = env_int("LINLI_SESSION_REFRESH_SECONDS", 60, minimum=1)
if LINLI_SESSION_REFRESH_SECONDS * 2 > SESSION_COOKIE_AGE:
    raise ImproperlyConfigured("LINLI_SESSION_REFRESH_SECONDS must be at most half of LINLI_SESSION_IDLE_SECONDS.")
SESSION_SAVE_EVERY_REQUEST = False
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True

# Behind HTTPS (LINLI_HTTPS=1, what `make serve` and deploy/ set): the TLS proxy says so in
# X-Forwarded-Proto, plain HTTP is redirected (but /healthz, which load balancers probe
# directly), cookies are Secure and browsers are told to keep to HTTPS (HSTS).
LINLI_HTTPS = env_bool("LINLI_HTTPS", False)
SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = LINLI_HTTPS
if LINLI_HTTPS:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = True
    SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
    SECURE_HSTS_SECONDS = env_int("LINLI_HSTS_SECONDS", 365 * 24 * 3600, minimum=0)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("LINLI_HSTS_SUBDOMAINS", True)
    SECURE_HSTS_PRELOAD = env_bool("LINLI_HSTS_PRELOAD", True)

# Content-Security-Policy, the same in development and production so a violation shows while
# building: scripts and styles only from our own static files (no inline script, no eval, no
# inline style; htmx's injected indicator style is switched off in base.html), no frames.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:", "blob:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    },
}

# django-axes: 5 failures in a row lock a username *from that address* for 15 minutes; a
# success resets the count. Locking the username alone would let anyone lock any known worker
# out with five requests; locking the address alone would lock a whole community office, which
# shares one intranet address. Behind a reverse proxy set AXES_IPWARE_PROXY_COUNT so the
# client's address is used (deploy/).
AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = timedelta(minutes=15)
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_LOCKOUT_TEMPLATE = "accounts/locked.html"
AXES_VERBOSE = False

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = DATA_DIR / "static"
STATIC_ROOT.mkdir(exist_ok=True)  # whitenoise looks there even before collectstatic has run
STATICFILES_DIRS = [BASE_DIR / "linli" / "static"]
# Collected static files are compressed and named by their content hash (whitenoise), so they
# can be cached for a year; tests and development read the source folders as they are.
LINLI_COLLECTED_STATIC = env_bool("LINLI_COLLECTED_STATIC", False)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if LINLI_COLLECTED_STATIC
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
MEDIA_ROOT = DATA_DIR / "media"
MEDIA_URL = "media/"

REST_FRAMEWORK = {
    # Sessions only: they end after the idle time and on logout. HTTP Basic would send the
    # password with every request and never expire; other systems use Open311 keys.
    "DEFAULT_AUTHENTICATION_CLASSES": ["rest_framework.authentication.SessionAuthentication"],
    # The API speaks JSON (forms and files go through the pages and Open311).
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Linli 邻里 API",
    "DESCRIPTION": "Community registry, grid and governance API. Every endpoint is scoped by the user's roles.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    # Offline: the docs page uses the Swagger UI files we ship, never a CDN.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "POSTPROCESSING_HOOKS": ["drf_spectacular.hooks.postprocess_schema_enums", "linli.api.schema.add_error_responses"],
    "COMPONENT_SPLIT_REQUEST": True,
}

# Background work (django-tasks). LINLI_TASKS picks the backend:
#   database (default) — django-tasks-db, worker: `manage.py db_worker`
#   redis              — django-tasks-rq on Redis (LINLI_REDIS_URL), worker: `manage.py rqworker --job-class django_tasks_rq.Job`
#   immediate          — run in the request (tests, tiny installs)
LINLI_TASKS = env_str("LINLI_TASKS", "database")
_TASK_BACKENDS = {
    "database": "django_tasks_db.DatabaseBackend",
    "redis": "django_tasks_rq.RQBackend",
    "immediate": "django_tasks.backends.immediate.ImmediateBackend",
}
if LINLI_TASKS not in _TASK_BACKENDS:
    raise ImproperlyConfigured(f"LINLI_TASKS must be one of {', '.join(_TASK_BACKENDS)}, not {LINLI_TASKS!r}.")
TASKS = {"default": {"BACKEND": _TASK_BACKENDS[LINLI_TASKS], "QUEUES": ["default"]}}
if LINLI_TASKS == "redis":
    INSTALLED_APPS += ["django_rq", "django_tasks_rq"]
    RQ_QUEUES = {"default": {"URL": env_str("LINLI_REDIS_URL", "redis://127.0.0.1:6379/0"), "DEFAULT_TIMEOUT": 600}}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {
        "redact": {"()": "linli.core.logging.RedactPersonalDataFilter"},
        # Request lines lose their query string: a search for a phone must not land in the log.
        "access": {"()": "linli.core.logging.AccessLogFilter"},
        "outage": {"()": "linli.core.logging.OutageFilter"},
    },
    "formatters": {"server": {"()": "django.utils.log.ServerFormatter", "format": "[{server_time}] {message}", "style": "{"}},
    "handlers": {
        "console": {"class": "logging.StreamHandler", "filters": ["outage", "redact"]},
        "access": {"class": "logging.StreamHandler", "filters": ["access"], "formatter": "server"},
    },
    "loggers": {
        "django.server": {"handlers": ["access"], "level": "INFO", "propagate": False},
        # django-axes logs every login at INFO; failures and lockouts are WARNING.
        "axes": {"level": "WARNING"},
    },
    "root": {"handlers": ["console"], "level": env_str("LINLI_LOG_LEVEL", "INFO")},
}

# A shared cache (rate limits of public endpoints) when several processes serve: LINLI_CACHE=redis.
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
if env_str("LINLI_CACHE", "local") == "redis":
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": env_str("LINLI_REDIS_URL", "redis://127.0.0.1:6379/1"),
        }
    }

# Sessions live in the database (every app server sees them; nothing kept in a process), or in
# Redis with LINLI_SESSIONS=redis when the session writes should leave PostgreSQL alone.
LINLI_SESSIONS = env_str("LINLI_SESSIONS", "database")
if LINLI_SESSIONS == "redis":
    CACHES["sessions"] = {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": env_str("LINLI_REDIS_URL", "redis://127.0.0.1:6379/1"),
    }
    SESSION_ENGINE = "django.contrib.sessions.backends.cache"
    SESSION_CACHE_ALIAS = "sessions"
elif LINLI_SESSIONS != "database":
    raise ImproperlyConfigured(f"LINLI_SESSIONS must be database or redis, not {LINLI_SESSIONS!r}.")

# Where residents reach Linli: links in SMS (the reporter's tracking link) are built on it.
LINLI_BASE_URL = env_str("LINLI_BASE_URL", "http://127.0.0.1:8000")

# Import files larger than this are refused before reading (a 10,000-row sheet is ~1 MB).
LINLI_IMPORT_MAX_BYTES = 20 * 1024 * 1024


# Notification senders per channel (linli.core.outbox). Production replaces "sms" and "wechat"
# with gateway clients; a channel without a sender keeps its messages pending.
LINLI_NOTIFY_SENDERS = {
    "in_app": "linli.core.outbox.InAppSender",
    "sms": env_str("LINLI_SMS_SENDER", "linli.core.outbox.ConsoleSender"),
    "wechat": env_str("LINLI_WECHAT_SENDER", "linli.core.outbox.ConsoleSender"),
}

# Retention (manage.py purge_expired, nightly). The audit log is kept at least six months
# (GB/T 22239 asks for 184 days); a shorter setting fails loudly at start.
LINLI_AUDIT_RETENTION_DAYS = env_int("LINLI_AUDIT_RETENTION_DAYS", 365, minimum=184)
LINLI_NOTIFICATION_RETENTION_DAYS = env_int("LINLI_NOTIFICATION_RETENTION_DAYS", 90, minimum=7)
