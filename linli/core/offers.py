"""What one domain offers on another domain's page (跨域入口).

Work crosses domains: an appeal becomes a service order, a resident is ordered for or has an
agency case opened, an adopted resolution becomes a project, a grid worker scanning a
compound's poster starts a patrol there. The page belongs to the lower domain (appeals,
registry, councils), the next step to a higher one, and a lower domain never imports a higher
one. So each page names a **slot**, each offering domain registers a provider for it in its
``AppConfig.ready`` (like a capability), and the page asks ``offers(slot, …)``. A provider asks
its own access predicate, so a button is shown exactly when its action is allowed, and the
page renders them with ``core/_offers.html``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.core.exceptions import ImproperlyConfigured

# The pages that take offers, with what each passes to its providers.
APPEAL_PAGE = "appeals.appeal"  # scope, user, appeal
REPORT_FORM = "appeals.report"  # scope, user, place, qr
RESIDENT_PAGE = "registry.resident"  # scope, user, resident
GRID_PAGE = "registry.grid"  # scope, user, grid
RESOLUTION = "councils.resolution"  # scope, user, topic, resolution
ORDER_PAGE = "services.order"  # scope, user, order — where an order came from (a home visit)

SLOTS = {APPEAL_PAGE, REPORT_FORM, RESIDENT_PAGE, GRID_PAGE, RESOLUTION, ORDER_PAGE}


@dataclass(frozen=True)
class Offer:
    key: str  # a stable name ("service_order"), for tests and styling
    label: str
    url: str
    css: str = "button secondary"


_PROVIDERS: dict[str, list[Callable[..., Iterable[Offer]]]] = {slot: [] for slot in SLOTS}


def register_offer(slot: str, provider: Callable[..., Iterable[Offer]]) -> None:
    if slot not in _PROVIDERS:
        raise ImproperlyConfigured(f"Unknown page slot {slot!r}: name it in linli.core.offers.SLOTS.")
    if provider not in _PROVIDERS[slot]:
        _PROVIDERS[slot].append(provider)


def offers(slot: str, **context) -> list[Offer]:
    """What the registered domains offer on this page, in registration order."""
    out: list[Offer] = []
    for provider in _PROVIDERS[slot]:
        out += list(provider(**context) or ())
    return out
