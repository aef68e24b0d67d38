from django.core.management.base import BaseCommand, CommandError

from dudao.directory import reference_data


class Command(BaseCommand):
    help = (
        "Load or upgrade the versioned reference data (jurisdictions, domains, levels). Safe to run again. "
        "Without options: the shared sets and Zhengzhou. A city's file adds or updates that city only."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--file", action="append", default=[], help="a reference file to load (repeatable), e.g. a city's"
        )
        parser.add_argument(
            "--city",
            action="append",
            default=[],
            choices=sorted(reference_data.CITY_FILES),
            help="a shipped city to load (repeatable), with the shared sets",
        )
        parser.add_argument("--all", action="store_true", help="the shared sets and every shipped city")

    def handle(self, *args, **options):
        files = list(options["file"])
        if options["city"]:
            files = [reference_data.COMMON_FILE, *(reference_data.CITY_FILES[c] for c in options["city"]), *files]
        if options["all"]:
            files = [*reference_data.ALL_FILES, *files]
        try:
            outcome = reference_data.load(*files)
        except reference_data.ReferenceDataError as exc:
            raise CommandError(str(exc)) from exc
        for dataset, result in outcome.items():
            self.stdout.write(f"{dataset}: {result}")
