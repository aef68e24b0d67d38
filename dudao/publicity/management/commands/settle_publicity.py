from django.core.management.base import BaseCommand

from dudao.publicity.services import settle_due


class Command(BaseCommand):
    help = "Let the items of public notices whose period has ended with no objection upheld or waiting take effect. Run daily (cron or Celery beat)."

    def handle(self, *args, **options):
        self.stdout.write(f"took effect: {settle_due()}")
