from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from dudao.core import backups


class Command(BaseCommand):
    help = (
        "Back up the database (SQLite: backup API; PostgreSQL: pg_dump, custom format) and MEDIA_ROOT into a new "
        "directory, with a manifest of row counts per table and file checksums."
    )

    def add_arguments(self, parser):
        parser.add_argument("directory", type=Path, help="a new (or empty) directory")

    def handle(self, *args, directory, **options):
        try:
            result = backups.backup(directory)
        except backups.BackupError as exc:
            raise CommandError(str(exc)) from exc
        manifest = result.manifest
        self.stdout.write(
            self.style.SUCCESS(
                f"Backed up {len(manifest['tables'])} tables ({sum(manifest['tables'].values())} rows) "
                f"and {len(manifest['media'])} files to {result.directory}"
            )
        )
