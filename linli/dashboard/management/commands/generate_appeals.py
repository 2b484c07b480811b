"""Three years of appeals on a generated district for the dashboard's benchmarks (run
generate_district first): about 25,000 a community, 5 million for 200. See ``dashboard/generate.py``."""

import resource
import time

from django.core.management.base import BaseCommand
from django.db import connection

from linli.dashboard.generate import AppealHistory
from linli.registry.models import Place, PlaceKind


class Command(BaseCommand):
    help = "Generate about 25,000 appeals per community over three years (bulk inserts; benchmarks only)."

    def add_arguments(self, parser):
        parser.add_argument("--per-community", type=int, default=25_000)
        parser.add_argument("--days", type=int, default=3 * 365)
        parser.add_argument("--seed", type=int, default=1)

    def handle(self, *args, per_community, days, seed, **options):
        started = time.perf_counter()
        history = AppealHistory(days=days, seed=seed)
        total = 0
        communities = list(Place.objects.filter(kind=PlaceKind.COMMUNITY).order_by("path"))
        for i, community in enumerate(communities, 1):
            total += history.community(community, per_community)
            if i % 10 == 0 or i == len(communities):
                self.stdout.write(f"{i}/{len(communities)} communities, {total} appeals, {time.perf_counter() - started:.0f}s")
        peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        self.stdout.write(
            self.style.SUCCESS(
                f"generated on {connection.vendor}: {total} appeals with events, facts and day summaries "
                f"in {time.perf_counter() - started:.1f}s; peak memory {peak_mb:.0f} MB"
            )
        )
