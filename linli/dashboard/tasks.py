"""Background work of the dashboard. The task lives beside the report it builds (services.py);
the name here is kept so that tasks queued under it before the move still run."""

from linli.dashboard.services import build_monthly_report

__all__ = ["build_monthly_report"]
