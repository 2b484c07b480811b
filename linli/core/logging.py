"""Keeping personal data out of every log line and every public text.

Services never log ID numbers or phones, but an exception message, a request path or a
resident's own words can carry one; ``redact`` rewrites anything shaped like them, also when
written with spaces or dashes (139-1234-5678, 340102 19900307 0015) or a +86 prefix.
"""

import logging
import re

from linli.core.masking import mask_id_number, mask_phone

_SEP = r"[-\s\u00a0\u3000.]?"
_ID = re.compile(r"(?<![\dA-Za-z])\d{6}" + _SEP + r"(?:\d" + _SEP + r"){8}\d{3}[\dXx](?![\dA-Za-z])")
_PHONE = re.compile(r"(?<!\d)(?:\+?86" + _SEP + r")?1[3-9]\d" + _SEP + r"(?:\d" + _SEP + r"){7}\d(?!\d)")


def _digits(text: str) -> str:
    return "".join(c for c in text if c.isdigit() or c in "Xx")


def redact(text: str) -> str:
    text = _ID.sub(lambda m: mask_id_number(_digits(m.group(0)).upper()), text)
    return _PHONE.sub(lambda m: mask_phone(_digits(m.group(0))[-11:]), text)


class RedactPersonalDataFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        redacted = redact(message)
        if redacted != message:
            record.msg, record.args = redacted, None
        return True


_QUERY = re.compile(r"(\"[A-Z]+ [^ ?\"]*)\?[^ \"]*")


def strip_query(text: str) -> str:
    """The access log keeps the path, never the query string (searches carry names and numbers)."""
    return redact(_QUERY.sub(r"\1?…", text))


class AccessLogFilter(logging.Filter):
    """For the request log (runserver's django.server; gunicorn logs paths only, deploy/)."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        cleaned = strip_query(message)
        if cleaned != message:
            record.msg, record.args = cleaned, None
        return True


class OutageFilter(logging.Filter):
    """While the database is down every request logs a 503: one line each, not a traceback
    each (core/middleware.py has already said which error it was)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if getattr(record, "status_code", None) == 503:
            record.exc_info = None
            record.exc_text = None
        return True
