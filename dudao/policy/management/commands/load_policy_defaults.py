from django.core.management.base import BaseCommand

from dudao.policy.services import load_defaults


class Command(BaseCommand):
    help = "Store the policy's default parameter values for the city (idempotent)."

    def handle(self, *args, **options):
        self.stdout.write(f"policy defaults: {load_defaults()} added")
