"""manage.py backup --to DIR: a consistent backup folder (see linli/ops/backup.py)."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from linli.ops.backup import BackupError, backup_write


class Command(BaseCommand):
    help = "Write a backup (database dump, uploaded files, manifest with checksums) into a new folder under --to."

    def add_arguments(self, parser):
        parser.add_argument("--to", required=True, type=Path, help="folder that receives linli-YYYYmmdd-HHMMSS/")

    def handle(self, *args, to: Path, **options):
        try:
            result = backup_write(to=to)
        except BackupError as e:
            raise CommandError(str(e)) from None
        self.stdout.write(
            self.style.SUCCESS(
                f"{result.folder}: {result.tables} tables, {result.rows} rows, {result.decrypted} encrypted values decrypted, "
                f"{result.size_bytes / 1e6:.1f} MB in {result.seconds:.1f} s"
            )
        )
