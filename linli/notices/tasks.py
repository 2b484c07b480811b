"""Background work of notices. The task lives beside the delivery it runs (services.py); the
name here is kept so that tasks queued under it before the move still run."""

from linli.notices.services import notice_deliver_task as notice_deliver

__all__ = ["notice_deliver"]
