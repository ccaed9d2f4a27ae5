"""Delete the API keys that DRF's authtoken kept in plain text, from before django-rest-knox.

They stopped working when knox replaced authtoken; until this runs they still sit in the
database (and in every backup made from it). Safe to run twice; a database that never
had them is left alone.
"""

from __future__ import annotations

from django.core.management.base import BaseCommand
from django.db import connection, transaction

PLAIN_TABLE = "authtoken_token"


class Command(BaseCommand):
    help = "Drop the plain-text API keys table of DRF's authtoken (replaced by knox's hashes)."

    def handle(self, *args, **options):
        with transaction.atomic(), connection.cursor() as cursor:
            if PLAIN_TABLE not in connection.introspection.table_names(cursor):
                self.stdout.write("No plain-text API keys are stored: nothing to do.")
                return
            table = connection.ops.quote_name(PLAIN_TABLE)
            cursor.execute(f"SELECT COUNT(*) FROM {table}")
            (count,) = cursor.fetchone()
            cursor.execute(f"DROP TABLE {table}")
            # So that a later reinstall of authtoken would create its table again.
            cursor.execute("DELETE FROM django_migrations WHERE app = %s", ["authtoken"])
        self.stdout.write(f"Dropped {PLAIN_TABLE}: {count} plain-text API keys deleted.")
