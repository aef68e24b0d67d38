import datetime as dt

from django.core.management.base import BaseCommand

from dudao.core.reminders import send_due


class Command(BaseCommand):
    help = (
        "Send the deadline reminders due today (notifications.reminder_days before each deadline, to whoever "
        "still has the matter) and resolve the reminders of matters no longer open. Run it daily (cron, or the "
        "Celery beat entry send-deadline-reminders); running it twice a day sends nothing twice."
    )

    def add_arguments(self, parser):
        parser.add_argument("--today", type=dt.date.fromisoformat, help="the day to act as (YYYY-MM-DD); default today")

    def handle(self, *args, today=None, **options):
        result = send_due(today)
        self.stdout.write(f"{result['sent']} reminder(s) sent, {result['resolved']} resolved")
