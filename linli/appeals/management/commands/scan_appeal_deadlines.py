"""Reminders before appeal deadlines and overdue notices after them. Run it every few minutes
(cron, or the loop in scripts/run-demo.sh); several copies at once are safe."""

from django.core.management.base import BaseCommand

from linli.appeals.services import appeals_scan_deadlines


class Command(BaseCommand):
    help = "Scan appeal deadlines: remind handlers, flag overdue appeals."

    def handle(self, *args, **options):
        counts = appeals_scan_deadlines()
        self.stdout.write(f"reminded={counts['reminded']} overdue={counts['overdue']}")
