from django.core.management.base import BaseCommand

from dudao.supervision.services.coverage import refresh_all


class Command(BaseCommand):
    help = (
        "Recompute every organisation's supervision coverage (need against supply), in batches. "
        "Run nightly (cron or Celery beat): a new month, first years that ended, terms that ran out."
    )

    def add_arguments(self, parser):
        parser.add_argument("--batch-size", type=int, default=500)

    def handle(self, *args, **options):
        self.stdout.write(f"refreshed: {refresh_all(batch_size=options['batch_size'])}")
