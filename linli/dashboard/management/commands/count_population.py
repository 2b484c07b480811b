"""Recount every community's people for the dashboard (run nightly from cron)."""

import time

from django.core.management.base import BaseCommand

from linli.dashboard.services import population_count


class Command(BaseCommand):
    help = "Recount each community's residents by registration, age band and care tag (no names)."

    def handle(self, *args, **options):
        started = time.perf_counter()
        n = population_count()
        self.stdout.write(self.style.SUCCESS(f"counted {n} communities in {time.perf_counter() - started:.1f}s"))
