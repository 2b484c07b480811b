"""Who is told what after an appeal changes. Called after commit by services."""

import logging

logger = logging.getLogger(__name__)


def appeal_changed(*, appeal_id: int, action: str) -> None:
    # The notification outbox (in-app, SMS, WeChat) plugs in here; until then the change is
    # visible on the status page and the timeline.
    logger.debug("appeal %s: %s", appeal_id, action)
