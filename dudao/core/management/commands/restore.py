from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from dudao.core import backups


class Command(BaseCommand):
    help = (
        "Restore a backup made by `manage.py backup`: checks its checksums, refuses a database or MEDIA_ROOT "
        "that already holds data unless --force, and checks the restored row counts and files against the manifest."
    )

    def add_arguments(self, parser):
        parser.add_argument("directory", type=Path, help="a directory written by `manage.py backup`")
        parser.add_argument(
            "--force",
            action="store_true",
            help="replace the contents of a database that holds data, and overwrite files in MEDIA_ROOT",
        )

    def handle(self, *args, directory, force, **options):
        try:
            result = backups.restore(directory, force=force)
        except backups.BackupError as exc:
            raise CommandError(str(exc)) from exc
        manifest = result.manifest
        self.stdout.write(
            self.style.SUCCESS(
                f"Restored {len(manifest['tables'])} tables ({sum(manifest['tables'].values())} rows) and "
                f"{len(manifest['media'])} files from the backup of {manifest['created_at']}; counts and checksums match."
            )
        )
