"""Re-encrypt personal data under the current key while the platform runs.

Put the new key first in DUDAO_DATA_KEYS and keep the old one after it;
restart the app (it then writes with the new key and reads both); run this
command; when it reports every row done, drop the old key and restart again.
Rows are rewritten in small locked batches, so users keep working throughout.
"""

from django.apps import apps
from django.core.management.base import BaseCommand
from django.db import transaction

from dudao.core import crypto


def encrypted_models():
    for model in apps.get_models():
        fields = [f for f in model._meta.concrete_fields if isinstance(f, crypto.EncryptedTextField)]
        if fields:
            indexes = [f for f in model._meta.concrete_fields if isinstance(f, crypto.BlindIndexField)]
            yield model, fields, indexes


def rotate(batch: int = 1000, report=None) -> dict:
    done = {}
    for model, fields, indexes in encrypted_models():
        last, count = 0, 0
        while True:
            with transaction.atomic():
                rows = list(
                    model._base_manager.select_for_update(of=("self",)).filter(pk__gt=last).order_by("pk")[:batch]
                )
                if not rows:
                    break
                for row in rows:
                    # Saving re-encrypts under the current key (get_prep_value);
                    # the blind indexes are recomputed under it too.
                    for index in indexes:
                        value = getattr(row, index.source)
                        setattr(row, index.attname, crypto.blind_index(value, purpose=index.purpose) if value else None)
                model._base_manager.bulk_update(rows, [f.name for f in fields + indexes])
            last, count = rows[-1].pk, count + len(rows)
            if report:
                report(model, count)
        done[model._meta.label] = count
    return done


class Command(BaseCommand):
    help = "Re-encrypt ID and phone numbers (and their blind indexes) under the first key of DUDAO_DATA_KEYS."

    def add_arguments(self, parser):
        parser.add_argument("--batch", type=int, default=1000)

    def handle(self, *args, batch, **options):
        kid = crypto.current_key().kid
        done = rotate(batch, report=lambda model, n: self.stdout.write(f"{model._meta.label}: {n} rows", ending="\r"))
        for label, count in done.items():
            self.stdout.write(f"{label}: {count} rows now under key {kid}")
        self.stdout.write(self.style.SUCCESS("Every row is under the current key; older keys may now be removed."))
