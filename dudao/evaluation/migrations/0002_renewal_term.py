from django.db import migrations, models


def undecided_terms(apps, schema_editor):
    """A renewal still proposed, or refused, is about the entry's present term
    (neither moved it); the latest per entry keeps the date so the scheduled
    run does not propose that term again. An approved one moved the term: its
    old end is not known here and stays empty."""
    Renewal = apps.get_model("evaluation", "Renewal")
    seen = set()
    for renewal in (
        Renewal.objects.filter(status__in=["proposed", "refused"]).select_related("entry").order_by("entry_id", "-pk")
    ):
        if renewal.entry_id in seen:
            continue
        seen.add(renewal.entry_id)
        renewal.term_ends_on = renewal.entry.expires_on
        renewal.save(update_fields=["term_ends_on"])


class Migration(migrations.Migration):
    dependencies = [
        ("evaluation", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="renewal",
            name="term_ends_on",
            field=models.DateField(blank=True, null=True, verbose_name="term ends on"),
        ),
        migrations.RunPython(undecided_terms, migrations.RunPython.noop),
        migrations.AddConstraint(
            model_name="renewal",
            constraint=models.UniqueConstraint(fields=("entry", "term_ends_on"), name="one_renewal_per_entry_and_term"),
        ),
    ]
