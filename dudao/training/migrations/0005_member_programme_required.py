"""Every membership now names its programme (0004): make it required, and
let the database refuse a trainee in two cohorts of one programme."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("training", "0004_fill_member_programme"),
    ]

    operations = [
        migrations.AlterField(
            model_name="member",
            name="programme",
            field=models.ForeignKey(
                editable=False,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="training.programme",
                verbose_name="programme",
            ),
        ),
        migrations.AddConstraint(
            model_name="member",
            constraint=models.UniqueConstraint(fields=("programme", "trainee"), name="one_membership_per_programme"),
        ),
    ]
