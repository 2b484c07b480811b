from django.core.management.base import BaseCommand

from linli.accounts.models import User
from linli.registry.demo import DEMO_PASSWORD, DEMO_USERS


class Command(BaseCommand):
    help = "Print the demo logins."

    def handle(self, *args, **options):
        self.stdout.write(f"Demo logins (password for all: {DEMO_PASSWORD}):")
        existing = set(User.objects.values_list("username", flat=True))
        for username, display, role in DEMO_USERS:
            if username in existing:
                self.stdout.write(f"  {username:<13} {role.label:<10} {display}")
