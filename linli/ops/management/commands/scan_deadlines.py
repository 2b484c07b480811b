"""Every deadline Linli watches, in one scan: reminders before appeal deadlines and overdue
notices after them; wish claims past their time go back to the wall; patrols left open past
their community's cap end themselves. Run it every few minutes
(cron, or the loop in scripts/run-demo.sh); several copies at once are safe (each item is
claimed with a conditional update)."""

from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Scan deadlines: remind handlers, flag overdue appeals, return expired wish claims, close forgotten patrols."

    def add_arguments(self, parser):
        parser.add_argument("--enqueue", action="store_true", help="hand the scan to the task worker instead of running it here")

    def handle(self, *args, enqueue, **options):
        from linli.ops.tasks import scan_deadlines, scan_deadlines_now

        if enqueue:
            scan_deadlines.enqueue()
            self.stdout.write("queued")
            return
        counts = scan_deadlines_now()
        self.stdout.write(" ".join(f"{k}={v}" for k, v in counts.items()))
