"""manage.py restore --from DIR: load a backup into an empty database, then prove it equal."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from linli.ops.backup import BackupError, backup_restore


class Command(BaseCommand):
    help = "Restore a backup folder into the configured (empty) database and media folder, and verify every table."

    def add_arguments(self, parser):
        parser.add_argument("--from", dest="source", required=True, type=Path, help="a folder written by manage.py backup")

    def handle(self, *args, source: Path, **options):
        try:
            result = backup_restore(source=source)
        except BackupError as e:
            raise CommandError(str(e)) from None
        self.stdout.write(
            self.style.SUCCESS(
                f"restored {result.tables} tables, {result.rows} rows, {result.media_files} files; "
                f"every table equal to the backup, {result.decrypted} encrypted values decrypted ({result.seconds:.1f} s)"
            )
        )
