"""Two-character name search at provincial scale. Chinese names are two or
three characters and people search them whole, so "王伟" is the most common
search there is; a trigram index cannot serve a two-character substring (it
has no trigram), and PostgreSQL then walked every person in scope in name order
to find the matches (3.2 s at 1,000,000 people). On PostgreSQL, a GIN index on
each name's two-character substrings answers it from the index; SQLite serves
one city and scans. dudao.directory.filters.NameHasBigram is the matching filter."""

from django.db import migrations

FUNCTION = """
CREATE OR REPLACE FUNCTION dudao_bigrams(text) RETURNS text[]
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS
$$ SELECT coalesce(array_agg(DISTINCT substr($1, i, 2)), '{}') FROM generate_series(1, char_length($1) - 1) AS i $$
"""


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(FUNCTION)
    schema_editor.execute(
        "CREATE INDEX IF NOT EXISTS person_name_bigrams ON directory_person USING gin (dudao_bigrams(name))"
    )


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("DROP INDEX IF EXISTS person_name_bigrams")
    schema_editor.execute("DROP FUNCTION IF EXISTS dudao_bigrams(text)")


class Migration(migrations.Migration):
    dependencies = [("directory", "0008_person_phone_validator")]

    operations = [migrations.RunPython(forwards, backwards)]
