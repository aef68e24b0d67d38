from django.core.management.base import BaseCommand

from dudao.demo import data, evaluation, selection, subsidies, supervision, training


class Command(BaseCommand):
    help = "Load the demo data (idempotent). Never run this on a production database."

    def handle(self, *args, **options):
        result = data.load()
        self.stdout.write(f"demo: {result['organizations']} organisations, {result['people_created']} people added")
        self.stdout.write(f"demo: {selection.load(data.PASSWORD)}")
        self.stdout.write(f"demo: {selection.load_luoyang()}")
        self.stdout.write(f"demo: {training.load()}")
        self.stdout.write(f"demo: {supervision.load(data.PASSWORD)}")
        self.stdout.write(f"demo: {subsidies.load(data.PASSWORD)}")
        self.stdout.write(f"demo: {evaluation.load(data.PASSWORD)}")
        self.stdout.write(f"Demo logins (password {data.PASSWORD}):")
        for username, role in data.LOGINS + supervision.LOGINS + evaluation.LOGINS:
            self.stdout.write(f"  {username:<14} {role}")
