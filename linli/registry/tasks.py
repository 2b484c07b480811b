"""Background work of the registry, run by Django's task framework (``manage.py db_worker``).
Each task lives beside the work it does (here: the Excel import); this module names them for
the worker and for tasks queued under this path before they moved."""

from linli.registry.services.imports import run_import

__all__ = ["run_import"]
