"""gunicorn for Linli (make serve, deploy/systemd/linli-web.service).

Synchronous workers: each request holds one database connection, kept open between requests
(DB_PERSISTENT) and checked before reuse (CONN_HEALTH_CHECKS), so a PostgreSQL restart costs
the requests in flight a 503 and nothing more.
"""

import multiprocessing
import os

bind = os.environ.get("LINLI_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("LINLI_WEB_WORKERS", multiprocessing.cpu_count() * 2 + 1))
timeout = int(os.environ.get("LINLI_WEB_TIMEOUT", "60"))
graceful_timeout = 30
# Restart workers now and then so a slow leak never grows unbounded.
max_requests = 5000
max_requests_jitter = 500
# The TLS proxy on the same host (deploy/nginx.conf) sets X-Forwarded-Proto.
forwarded_allow_ips = os.environ.get("LINLI_PROXY_IPS", "127.0.0.1,::1")
# The access log keeps the path without its query string (%(U)s): a search for a phone number
# must not land in a log file. No user agent, no referrer (it can carry a query string too).
accesslog = "-"
access_log_format = '%(h)s %(t)s "%(m)s %(U)s %(H)s" %(s)s %(B)s %(M)sms'
errorlog = "-"
loglevel = os.environ.get("LINLI_LOG_LEVEL", "info").lower()
