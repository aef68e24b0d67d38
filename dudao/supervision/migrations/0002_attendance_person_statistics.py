"""PostgreSQL's default sample (30,000 rows) sees a supervisee's attendances
as ~15 times more frequent than they are once the table holds millions of
rows (in the 10 M-session benchmark it estimated 50,850 distinct people for
797,115), and then plans the per-staff sums of the agency coverage page as a
parallel scan: 39 ms instead of 1 ms. A larger sample on the column the page
filters by gives the planner the true spread (bench/README.md)."""

from django.db import migrations

from dudao.core.scoping import analyze_after_rewrite

COLUMNS = [("supervision_attendance", "person_id"), ("supervision_session", "supervisor_id")]


def larger_sample(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    with schema_editor.connection.cursor() as cursor:
        for table, column in COLUMNS:
            cursor.execute(f'ALTER TABLE "{table}" ALTER COLUMN "{column}" SET STATISTICS 1000')
    analyze_after_rewrite(schema_editor, *{table for table, _column in COLUMNS})


def default_sample(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    with schema_editor.connection.cursor() as cursor:
        for table, column in COLUMNS:
            cursor.execute(f'ALTER TABLE "{table}" ALTER COLUMN "{column}" SET STATISTICS -1')


class Migration(migrations.Migration):
    dependencies = [("supervision", "0001_initial")]

    operations = [migrations.RunPython(larger_sample, default_sample)]
