import datetime as dt

from django.core.management.base import BaseCommand, CommandError

from dudao.evaluation.services.renewals import propose_all_due


class Command(BaseCommand):
    help = (
        "Propose renewal for the city and district pool entries whose term ends within the pool's notice days "
        "(policy evaluation.renewal_notice_days) and whose grades meet the rule; their keepers are told. "
        "Idempotent. Run nightly (cron or Celery beat)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--on", help="The day to run as (YYYY-MM-DD); today by default.")

    def handle(self, *args, **options):
        on = None
        if options.get("on"):
            try:
                on = dt.date.fromisoformat(options["on"])
            except ValueError as exc:
                raise CommandError("--on takes a date as YYYY-MM-DD") from exc
        done = propose_all_due(on)
        for (level, name), count in done.items():
            self.stdout.write(f"{level} {name}: {count}")
        self.stdout.write(f"proposed: {sum(done.values())}")
