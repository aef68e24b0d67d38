from decimal import Decimal

from django.db import migrations, models
from django.db.models import Max, Q


def backfill(apps, schema_editor):
    """The ability gains of the years already assessed (later ones are kept by services.years):
    per supervisee under one engagement assessed at both ends of a year, end − start."""
    Assessment = apps.get_model("supervision", "Assessment")
    SupervisorYear = apps.get_model("supervision", "SupervisorYear")
    gains: dict = {}
    for pid, year, s, e in (
        Assessment.objects.values_list("supervisor_id", "year", "engagement_id", "supervisee_id")
        .annotate(s=Max("average", filter=Q(phase="start")), e=Max("average", filter=Q(phase="end")))
        .values_list("supervisor_id", "year", "s", "e")
        .order_by()
    ):
        if s is not None and e is not None:
            count, total = gains.get((pid, year), (0, Decimal(0)))
            gains[(pid, year)] = (count + 1, total + Decimal(str(e)) - Decimal(str(s)))
    SupervisorYear.objects.bulk_create(
        [
            SupervisorYear(supervisor_id=pid, year=year, assessed=count, gain_total=total)
            for (pid, year), (count, total) in gains.items()
        ],
        batch_size=5000,
        update_conflicts=True,
        unique_fields=["year", "supervisor"],
        update_fields=["assessed", "gain_total"],
    )


class Migration(migrations.Migration):
    dependencies = [
        ("supervision", "0004_session_void"),
    ]

    operations = [
        migrations.AddField(
            model_name="supervisoryear",
            name="assessed",
            field=models.PositiveIntegerField(default=0, verbose_name="supervisees assessed at both ends"),
        ),
        migrations.AddField(
            model_name="supervisoryear",
            name="gain_total",
            field=models.DecimalField(decimal_places=2, default=0, max_digits=9, verbose_name="sum of ability gains"),
        ),
        migrations.RunPython(backfill, migrations.RunPython.noop, elidable=True),
    ]
