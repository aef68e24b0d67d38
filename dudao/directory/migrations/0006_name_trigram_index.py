"""Substring search of names and organisation names at provincial scale: a
trigram index on PostgreSQL (pg_trgm is a trusted extension since PostgreSQL 13,
so the database owner may create it). SQLite serves one city and scans."""

from django.db import migrations

INDEXES = [
    ("directory_person", "name", "person_name_trgm"),
    ("directory_organization", "name", "org_name_trgm"),
]


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    for table, column, name in INDEXES:
        schema_editor.execute(f"CREATE INDEX IF NOT EXISTS {name} ON {table} USING gin ({column} gin_trgm_ops)")


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for _table, _column, name in INDEXES:
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [("directory", "0005_list_indexes")]

    operations = [migrations.RunPython(forwards, backwards)]
