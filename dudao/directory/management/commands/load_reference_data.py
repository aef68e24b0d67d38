from django.core.management.base import BaseCommand

from dudao.directory import reference_data


class Command(BaseCommand):
    help = "Load or upgrade the versioned reference data (jurisdictions, domains, levels). Safe to run again."

    def add_arguments(self, parser):
        parser.add_argument("--file", default=str(reference_data.DEFAULT_FILE))

    def handle(self, *args, **options):
        for dataset, outcome in reference_data.load(options["file"]).items():
            self.stdout.write(f"{dataset}: {outcome}")
