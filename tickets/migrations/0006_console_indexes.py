# Indexes that keep the console's counts, open queues and search fast at 1M tickets.

import django.db.models.fields.json
from django.conf import settings
from django.db import migrations, models


# Trigram index for the console's subject search (`icontains` is UPPER(subject) LIKE …):
# PostgreSQL only, so it lives outside the model state and SQLite skips it.
TRIGRAM_SQL = (
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    "CREATE INDEX IF NOT EXISTS ticket_subject_trgm ON tickets_ticket "
    "USING gin (UPPER(subject::text) gin_trgm_ops)",
)


def add_subject_trigram_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for statement in TRIGRAM_SQL:
            schema_editor.execute(statement)


def drop_subject_trigram_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP INDEX IF EXISTS ticket_subject_trgm")


class Migration(migrations.Migration):
    dependencies = [
        ("tickets", "0005_ticket_merged_into_alter_ticketevent_kind"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddIndex(
            model_name="ticket",
            index=models.Index(
                condition=models.Q(("status__in", ["new", "open", "pending", "on_hold"])),
                fields=["type", "status", "assignee", "team"],
                name="ticket_open_counts",
            ),
        ),
        migrations.AddIndex(
            model_name="ticket",
            index=models.Index(
                condition=models.Q(("status__in", ["new", "open", "pending", "on_hold"])),
                fields=["-created_at", "-id"],
                name="ticket_open_newest",
            ),
        ),
        migrations.AddIndex(
            model_name="ticket",
            index=models.Index(
                condition=models.Q(("solved_at__isnull", False)),
                fields=["solved_at"],
                name="ticket_solved_at",
            ),
        ),
        migrations.AddIndex(
            model_name="ticket",
            index=models.Index(
                django.db.models.fields.json.KeyTransform("uid", "fields"), name="ticket_fields_uid"
            ),
        ),
        migrations.RunPython(add_subject_trigram_index, drop_subject_trigram_index),
    ]
