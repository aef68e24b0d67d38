"""The nominations and trainees of a database made when the tree was rooted at
Zhengzhou follow it under 河南省 (directory 0012): their stored chain shifts
down one column with the province at scope_j0."""

from dudao.core.scoping import analyze_after_rewrite
from django.db import migrations
from django.db.models import F

SHIFT = {"scope_j3": F("scope_j2"), "scope_j2": F("scope_j1"), "scope_j1": F("scope_j0")}


def forwards(apps, schema_editor):
    Jurisdiction = apps.get_model("directory", "Jurisdiction")
    # A city that now sits below a root: rows still rooted at it predate the root.
    for city in Jurisdiction.objects.filter(depth=1).exclude(parent=None):
        for model in ("Nomination", "Trainee"):
            apps.get_model("selection", model).objects.filter(scope_j0=city.pk).update(
                scope_j0=city.parent_id, **SHIFT
            )



def analyze(apps, schema_editor):
    analyze_after_rewrite(schema_editor, "selection_nomination", "selection_trainee")


class Migration(migrations.Migration):
    dependencies = [
        ("selection", "0004_trainee_scope_chain_and_name"),
        ("directory", "0012_province_above_zhengzhou"),
    ]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop),
        migrations.RunPython(analyze, migrations.RunPython.noop),
    ]
