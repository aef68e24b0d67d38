from django.core.management.base import BaseCommand

from dudao.pools.services import expire_entries


class Command(BaseCommand):
    help = "Mark pool entries whose term has ended as expired. Run daily (cron or Celery beat)."

    def handle(self, *args, **options):
        self.stdout.write(f"expired: {expire_entries()}")
