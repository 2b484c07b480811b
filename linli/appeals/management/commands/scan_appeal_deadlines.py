"""Reminders before appeal deadlines and overdue notices after them; wish claims past their
time go back to the wall. Run it every few minutes
(cron, or the loop in scripts/run-demo.sh); several copies at once are safe."""

from django.core.management.base import BaseCommand

from linli.appeals.services import appeals_scan_deadlines
from linli.appeals.tasks import scan_deadlines


class Command(BaseCommand):
    help = "Scan appeal deadlines: remind handlers, flag overdue appeals."

    def add_arguments(self, parser):
        parser.add_argument("--enqueue", action="store_true", help="hand the scan to the task worker instead of running it here")

    def handle(self, *args, enqueue, **options):
        from linli.wishes.services import wishes_release_expired
        from linli.wishes.tasks import release_expired_claims

        if enqueue:
            scan_deadlines.enqueue()
            release_expired_claims.enqueue()
            self.stdout.write("queued")
            return
        counts = appeals_scan_deadlines()
        released = wishes_release_expired()
        self.stdout.write(f"reminded={counts['reminded']} overdue={counts['overdue']} wishes_released={released}")
