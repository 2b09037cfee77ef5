"""dxshare_bigrams(text): every pair of neighbouring characters of a text, for GIN indexes that find any substring
of two or more characters (dxshare.textsearch). PostgreSQL only; SQLite searches without an index."""

from django.db import migrations

CREATE = """
CREATE OR REPLACE FUNCTION dxshare_bigrams(doc text) RETURNS text[]
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
  SELECT coalesce(array_agg(DISTINCT substr(doc, i, 2)), '{}'::text[])
  FROM generate_series(1, char_length(doc) - 1) AS i
$$;
"""
DROP = "DROP FUNCTION IF EXISTS dxshare_bigrams(text);"


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE)


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP)


class Migration(migrations.Migration):
    dependencies = []
    operations = [migrations.RunPython(create, drop, elidable=False)]
