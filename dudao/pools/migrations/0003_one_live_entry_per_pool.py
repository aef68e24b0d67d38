"""One live entry per person and pool, per kind of pool (issue 8, item 16).

The old constraint named (person, level, jurisdiction, organization), and one
of the last two is NULL in every row, so it never fired and duplicates were
stored. Before the new constraints are added, each group of live duplicates
keeps its oldest entry; the newer ones are retired with a status change that
names the entry kept."""

from django.db import migrations, models

LIVE = ["active", "suspended"]


def retire_duplicates(apps, schema_editor):
    Entry = apps.get_model("pools", "Entry")
    StatusChange = apps.get_model("pools", "StatusChange")
    kept = {}
    for entry in Entry.objects.filter(status__in=LIVE).order_by("created_at", "pk"):
        if entry.level == "agency":
            pool = ("agency", entry.person_id, entry.organization_id)
        else:
            pool = (entry.level, entry.person_id, entry.jurisdiction_id)
        first = kept.setdefault(pool, entry)
        if first.pk == entry.pk:
            continue
        StatusChange.objects.create(
            entry=entry,
            from_status=entry.status,
            to_status="retired",
            reason=(
                f"与在库记录 {first.entry_number} 重复，系统升级时自动退出"
                f"（duplicate live entry, retired by migration; {first.entry_number} kept）。"
            ),
            actor=None,
        )
        entry.status = "retired"
        entry.save(update_fields=["status", "updated_at"])


class Migration(migrations.Migration):
    dependencies = [
        ("pools", "0002_input_validators"),
    ]

    operations = [
        migrations.RunPython(retire_duplicates, migrations.RunPython.noop),
        migrations.RemoveConstraint(
            model_name="entry",
            name="one_live_entry_per_pool",
        ),
        migrations.AddConstraint(
            model_name="entry",
            constraint=models.UniqueConstraint(
                condition=models.Q(("level__in", ["city", "district"]), ("status__in", ["active", "suspended"])),
                fields=("person", "level", "jurisdiction"),
                name="one_live_entry_per_public_pool",
            ),
        ),
        migrations.AddConstraint(
            model_name="entry",
            constraint=models.UniqueConstraint(
                condition=models.Q(("level", "agency"), ("status__in", ["active", "suspended"])),
                fields=("person", "organization"),
                name="one_live_entry_per_agency_pool",
            ),
        ),
    ]
