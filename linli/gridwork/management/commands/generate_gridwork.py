"""A year of grid work on a generated district, for benchmarks (run generate_district first).

Every top-level grid without a grid worker gets one; each worker patrols the compounds of the
grid on most working days (one or two patrols, 25–110 minutes in all); every household with a
care tag is visited at its tag's interval over the year, about one in six now overdue. Written
with bulk inserts, a community at a time: the data a benchmark needs, not a demo (no audit
rows, no notifications). Prints counts, time and peak memory."""

from __future__ import annotations

import random
import resource
import time
from collections import defaultdict
from datetime import date, datetime, timedelta
from datetime import time as clock
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import connection, transaction
from django.utils import timezone

from linli.accounts.models import Role, RoleAssignment, User
from linli.core.workdays import is_workday, overrides_between
from linli.gridwork.models import Patrol, PatrolTime, Visit, split_by_day
from linli.gridwork.selectors import frequencies
from linli.registry.models import Grid, Place, PlaceKind, Resident
from linli.registry.vocabulary import compound_path

BATCH = 5000


class Command(BaseCommand):
    help = "Generate a year of patrols and visits for every grid (bulk inserts; benchmarks only)."

    def add_arguments(self, parser):
        parser.add_argument("--days", type=int, default=365)
        parser.add_argument("--seed", type=int, default=1)

    def handle(self, *args, days, seed, **options):
        started = time.perf_counter()
        rng = random.Random(seed)
        today = timezone.localdate()
        overrides = overrides_between(today - timedelta(days=days), today)
        workdays = [d for d in (today - timedelta(days=b) for b in range(days, 0, -1)) if is_workday(d, overrides)]
        totals = defaultdict(int)
        communities = list(Place.objects.filter(kind=PlaceKind.COMMUNITY).order_by("path"))
        for i, community in enumerate(communities, 1):
            with transaction.atomic():
                workers = self._workers(community)
                totals["workers"] += len(workers)
                compounds = self._compounds(community)
                p, t = self._patrols(workers, compounds, workdays, rng)
                totals["patrols"] += p
                totals["patrol_days"] += t
                totals["visits"] += self._visits(community, workers, today, days, rng)
            if i % 10 == 0 or i == len(communities):
                self.stdout.write(f"{i}/{len(communities)} communities, {dict(totals)}, {time.perf_counter() - started:.0f}s")
        peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        self.stdout.write(
            self.style.SUCCESS(
                f"generated on {connection.vendor}: {totals['workers']} grid workers, {totals['patrols']} patrols, "
                f"{totals['patrol_days']} patrol-time rows, {totals['visits']} visits over {days} days "
                f"in {time.perf_counter() - started:.1f}s; peak memory {peak_mb:.0f} MB"
            )
        )

    def _workers(self, community) -> dict[int, int]:
        """Top-level grid id → its grid worker's user id (created where the post is empty)."""
        grids = list(Grid.objects.filter(community=community, parent__isnull=True).order_by("code"))
        have = dict(RoleAssignment.objects.filter(role=Role.GRID_WORKER, grid__in=grids).values_list("grid_id", "user_id"))
        missing = [g for g in grids if g.pk not in have]
        users = User.objects.bulk_create(
            [User(username=f"bench-gw-{g.pk}", display_name=f"网格员{g.code}", is_active=True) for g in missing]
        )
        RoleAssignment.objects.bulk_create(
            [RoleAssignment(user=u, role=Role.GRID_WORKER, grid=g, full_time=True) for u, g in zip(users, missing, strict=True)]
        )
        if connection.vendor == "sqlite":  # SQLite's bulk_create before 3.35 gives no ids back
            users = list(User.objects.filter(username__in=[f"bench-gw-{g.pk}" for g in missing]).order_by("pk"))
        have.update({g.pk: u.pk for g, u in zip(missing, users, strict=True)})
        return have

    def _compounds(self, community) -> dict[int, list[int]]:
        """Top-level grid id → the compounds holding its buildings (micro-grids count for their parent)."""
        parent = dict(Grid.objects.filter(community=community).values_list("pk", "parent_id"))
        compound_ids = dict(Place.objects.filter(community=community, kind=PlaceKind.COMPOUND).values_list("path", "pk"))
        out: dict[int, set[int]] = defaultdict(set)
        for path, grid_id in Place.objects.filter(community=community, kind=PlaceKind.BUILDING, grid__isnull=False).values_list(
            "path", "grid_id"
        ):
            compound = compound_ids.get(compound_path(path))
            if compound:
                out[parent.get(grid_id) or grid_id].add(compound)
        return {g: sorted(c) for g, c in out.items()}

    def _patrols(self, workers, compounds, workdays, rng) -> tuple[int, int]:
        tz = ZoneInfo(settings.TIME_ZONE)
        patrols, seconds = [], defaultdict(int)
        for grid_id, worker_id in workers.items():
            places = compounds.get(grid_id)
            if not places:
                continue
            for day in workdays:
                if rng.random() < 0.08:  # a day off, training, a meeting
                    continue
                total = rng.randint(25, 110)
                start = datetime.combine(day, clock(rng.choice([8, 9, 14, 15]), rng.randint(0, 50)), tzinfo=tz)
                for part in (total,) if total < 60 or rng.random() < 0.5 else (total // 2, total - total // 2):
                    end = start + timedelta(minutes=part)
                    compound = rng.choice(places)
                    patrols.append(
                        Patrol(worker_id=worker_id, grid_id=grid_id, compound_id=compound, started_at=start, ended_at=end, by_qr=True)
                    )
                    for d, s in split_by_day(start, end):
                        seconds[(worker_id, grid_id, compound, d)] += s
                    start = end + timedelta(minutes=rng.randint(10, 40))
        Patrol.objects.bulk_create(patrols, batch_size=BATCH)
        PatrolTime.objects.bulk_create(
            [PatrolTime(worker_id=w, grid_id=g, compound_id=c, day=d, seconds=s) for (w, g, c, d), s in seconds.items()], batch_size=BATCH
        )
        return len(patrols), len(seconds)

    def _visits(self, community, workers, today: date, days: int, rng) -> int:
        freq = frequencies(community.pk)
        parent = dict(Grid.objects.filter(community=community).values_list("pk", "parent_id"))
        every: dict[int, int] = {}
        grid_of: dict[int, int] = {}
        for household_id, grid_id, code in Resident.objects.filter(
            household__dwelling__community=community, is_active=True, care_tags__code__in=list(freq)
        ).values_list("household_id", "household__dwelling__grid_id", "care_tags__code"):
            every[household_id] = min(every.get(household_id, 10_000), freq[code])
            grid_of[household_id] = grid_id
        tz = ZoneInfo(settings.TIME_ZONE)
        visits = []
        for household_id, interval in every.items():
            grid_id = grid_of[household_id]
            worker_id = workers.get(parent.get(grid_id) or grid_id)
            if grid_id is None or worker_id is None:
                continue
            # The newest visit: within the interval, or (one in six) too long ago — overdue now.
            back = interval + rng.randint(1, 15) if rng.random() < 0.17 else rng.randint(0, interval - 1)
            while back < days:
                day = today - timedelta(days=back)
                visited_at = datetime.combine(day, clock(rng.randint(8, 17), rng.randint(0, 59)), tzinfo=tz)
                visits.append(
                    Visit(household_id=household_id, worker_id=worker_id, grid_id=grid_id, kind=Visit.Kind.HOME, visited_at=visited_at)
                )
                back += max(1, interval + rng.randint(-2, 2))
        Visit.objects.bulk_create(visits, batch_size=BATCH)
        return len(visits)
