"""Half a year of history in the demo's communities, so the dashboard has trends, periods to
compare and a monthly report worth reading; and the people counted."""

from __future__ import annotations

from linli.dashboard.generate import AppealHistory
from linli.dashboard.services import population_count
from linli.registry.models import Place, PlaceKind


def seed_dashboard(*, seed: int) -> dict[str, int]:
    history = AppealHistory(days=180, seed=seed + 20, label="")
    n = 0
    for community in Place.objects.filter(kind=PlaceKind.COMMUNITY).order_by("path"):
        n += history.community(community, 1500 if community.name == "和美社区" else 600)
    return {"past_appeals": n, "population_counted": population_count()}
