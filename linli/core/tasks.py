"""Background work of the shared parts. The task itself lives beside the outbox it drains; the
name here is kept so that tasks queued under it before the move still run."""

from linli.core.outbox import deliver_notifications

__all__ = ["deliver_notifications"]
