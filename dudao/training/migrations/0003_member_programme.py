"""Each cohort membership will name its cohort's programme (issue 8, item
18); the column is filled in 0004 and made required and unique in 0005. Each
step is a migration (a transaction) of its own: PostgreSQL refuses to build an
index or alter a table with row changes pending in the same transaction."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("training", "0002_input_validators"),
    ]

    operations = [
        migrations.AddField(
            model_name="member",
            name="programme",
            field=models.ForeignKey(
                editable=False,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="training.programme",
                verbose_name="programme",
            ),
        ),
    ]
