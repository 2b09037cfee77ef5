from django.db import migrations

INDEX = (
    "CREATE INDEX IF NOT EXISTS audit_context_user_idx ON pghistory_context (((metadata->>'user')))"
    " WHERE metadata->>'user' IS NOT NULL"
)


def _create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(INDEX)


def _drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP INDEX IF EXISTS audit_context_user_idx")


class Migration(migrations.Migration):
    """The audit page filters by person: the requests (contexts) a person made, found by the user id in their
    metadata."""

    dependencies = [("pghistory", "0007_auto_20250421_0444")]

    operations = [migrations.RunPython(_create, _drop)]
