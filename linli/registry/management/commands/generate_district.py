"""A whole district for benchmarks: by default 10 streets × 20 communities × 10,000 residents
(about 2 million), written with bulk inserts. Prints the time and peak memory."""

import random
import resource
import time

from django.core.management.base import BaseCommand
from django.db import connection

from linli.registry.generate import Generator, standard_compounds
from linli.registry.models import PlaceKind


class Command(BaseCommand):
    help = "Generate a district-scale data set (bulk inserts)."

    def add_arguments(self, parser):
        parser.add_argument("--streets", type=int, default=10)
        parser.add_argument("--communities", type=int, default=20, help="communities per street")
        parser.add_argument("--residents", type=int, default=10_000, help="residents per community")
        parser.add_argument("--grids", type=int, default=11, help="grids per community")
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument("--district-code", default="341199")

    def handle(self, *args, streets, communities, residents, grids, seed, district_code, **options):
        started = time.perf_counter()
        gen = Generator(seed=seed)
        rng = random.Random(seed)
        district = gen.root(kind=PlaceKind.DISTRICT, name=f"基准区{seed}", code=district_code)
        for s in range(1, streets + 1):
            street = gen.child(district, kind=PlaceKind.STREET, name=f"第{s}街道", code=f"{district_code}{s:03d}", save=True)
            for c in range(1, communities + 1):
                # Enough dwellings for the people: ~2.6 per household, ~90% occupied.
                specs = []
                while sum(sp.buildings * sp.units_per_building * sp.floors * sp.per_floor for sp in specs) * 2.4 < residents:
                    specs.extend(standard_compounds(rng, 1, prefix=f"{c}-"))
                gen.community(
                    street,
                    name=f"第{s}街道第{c}社区",
                    code=f"{district_code}{s:03d}{c:03d}",
                    compounds=specs,
                    grid_count=grids,
                    target_residents=residents,
                )
                if c % 5 == 0:
                    elapsed = time.perf_counter() - started
                    self.stdout.write(f"street {s} community {c}: {gen.counts.residents} residents, {elapsed:.0f}s", ending="\n")
        elapsed = time.perf_counter() - started
        peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        c = gen.counts
        self.stdout.write(
            self.style.SUCCESS(
                f"generated on {connection.vendor}: {c.places} places, {c.grids} grids, {c.households} households, "
                f"{c.residents} residents, {c.tagged} care tags in {elapsed:.1f}s; peak memory {peak_mb:.0f} MB"
            )
        )
