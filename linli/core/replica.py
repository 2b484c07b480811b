"""Reads that may come from a streaming replica: dashboards, reports and exports.

A district that outgrows one PostgreSQL server adds a streaming replica (LINLI_REPLICA_URL,
alias ``replica``) and lets the heavy reads go there. Only code inside ``reporting()`` reads
from it — the figures a dashboard shows may be a second behind, which nobody notices — while
every write and every other read (an appeal just submitted, a row about to be locked) stays on
the primary, so no one ever reads their own change as missing. Without a replica configured,
``reporting()`` changes nothing.
"""

from __future__ import annotations

from contextlib import contextmanager
from contextvars import ContextVar

from django.conf import settings

REPLICA = "replica"
_reporting: ContextVar[bool] = ContextVar("linli_reporting", default=False)


@contextmanager
def reporting():
    """``with reporting():`` or ``@reporting()``: the reads inside may come from the replica."""
    token = _reporting.set(True)
    try:
        yield
    finally:
        _reporting.reset(token)


def replica_configured() -> bool:
    return REPLICA in settings.DATABASES


class ReplicaRouter:
    def db_for_read(self, model, **hints):
        return REPLICA if _reporting.get() and replica_configured() else "default"

    def db_for_write(self, model, **hints):
        return "default"

    def allow_relation(self, obj1, obj2, **hints):
        return True  # the replica is a copy of the primary: the same rows

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        return db == "default"  # the replica replays the primary's WAL, migrations included
