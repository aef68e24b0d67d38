from django.core.management.base import BaseCommand
from django.utils import timezone

from dudao.supervision.services.years import rebuild


class Command(BaseCommand):
    help = (
        "Recompute every supervisor's yearly sums (confirmed supervision minutes, confirmed practice hours, "
        "ratings, ability gains) from the source rows: this year and last year unless --year is given. "
        "Run nightly (cron or Celery beat); the services keep the sums between runs."
    )

    def add_arguments(self, parser):
        parser.add_argument("--year", type=int, action="append", help="a year to rebuild (repeatable)")

    def handle(self, *args, **options):
        this_year = timezone.localdate().year
        for year in options["year"] or [this_year - 1, this_year]:
            self.stdout.write(f"{year}: {rebuild(year)} supervisors")
