"""Delete what is kept only for a while (run nightly from cron): see ``core/retention.py``."""

from django.core.management.base import BaseCommand

from linli.core.retention import purge_expired


class Command(BaseCommand):
    help = "Purge audit entries past retention, delivered notifications and old one-time codes."

    def handle(self, *args, **options):
        counts = purge_expired()
        self.stdout.write(self.style.SUCCESS(", ".join(f"{k}: {v}" for k, v in counts.items())))
