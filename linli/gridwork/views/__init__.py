"""The grid-work pages, one module a subject: the worker's day (``day``), patrols and findings
(``patrols``), visits and 民情 (``visits``), oversight (``oversight``), rounds (``rounds``) and the
community's settings (``settings``). Thin views over selectors and services; phone pages for grid
workers, stewards and leaders, tables (cards on a phone) for staff."""

from linli.gridwork.views.day import day
from linli.gridwork.views.oversight import community_overview, grid_overview
from linli.gridwork.views.patrols import finding, patrol, patrol_end, patrol_start, place_hint
from linli.gridwork.views.rounds import round_contact, round_detail, rounds
from linli.gridwork.views.settings import forces, settings_page
from linli.gridwork.views.visits import sentiments, visit_detail, visit_new, visits

__all__ = [
    "community_overview",
    "day",
    "finding",
    "forces",
    "grid_overview",
    "patrol",
    "patrol_end",
    "patrol_start",
    "place_hint",
    "round_contact",
    "round_detail",
    "rounds",
    "sentiments",
    "settings_page",
    "visit_detail",
    "visit_new",
    "visits",
]
