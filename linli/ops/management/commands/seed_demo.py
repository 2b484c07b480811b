"""The demo street, made through the services of every app, in one transaction. Same seed,
same data; does nothing when the demo is already there."""

from django.core.management.base import BaseCommand
from django.db import transaction


class Command(BaseCommand):
    help = "Create the demo street and communities with every app's demo data (idempotent)."

    def add_arguments(self, parser):
        parser.add_argument("--seed", type=int, default=20261123)

    def handle(self, *args, seed, **options):
        from linli.ops.demo import seed_everything
        from linli.registry.demo import demo_exists

        if demo_exists():
            self.stdout.write("Demo data already present.")
            return
        with transaction.atomic():
            summary = seed_everything(seed=seed)
        self.stdout.write(self.style.SUCCESS("Demo: " + ", ".join(f"{v} {k}" for k, v in summary.items()) + "."))
