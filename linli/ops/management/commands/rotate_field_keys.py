"""manage.py rotate_field_keys: re-encrypt ID numbers and phones under the first key in
LINLI_FIELD_KEYS while Linli keeps serving (the procedure: linli/core/keys.py)."""

from cryptography.fernet import Fernet
from django.core.management.base import BaseCommand, CommandError

from linli.core import keys


class Command(BaseCommand):
    help = "Re-encrypt every encrypted value under the first of LINLI_FIELD_KEYS (--new-key prints a fresh key)."

    def add_arguments(self, parser):
        parser.add_argument("--new-key", action="store_true", help="print a new key to put first in LINLI_FIELD_KEYS, change nothing")

    def handle(self, *args, new_key: bool, **options):
        if new_key:
            self.stdout.write(Fernet.generate_key().decode())
            return
        try:
            changed = keys.rotate()
        except keys.FieldKeyError as e:
            raise CommandError(str(e)) from None
        for column, count in changed.items():
            self.stdout.write(f"{column}: {count} re-encrypted")
        self.stdout.write(self.style.SUCCESS("Every value now decrypts with the first key alone: the others can be removed."))
