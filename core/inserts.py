"""`INSERT … ON CONFLICT DO NOTHING RETURNING`: rows stored unless a unique key is taken,
in one statement, with their ids.

Where a row may already exist (a message delivered twice, an address that wrote before,
a twin in flight), the alternative is a savepoint, the insert and its release, and an
IntegrityError rolled back when it exists: three round trips instead of one. A twin in
flight still waits on the unique index for the first to commit (then nothing is stored)
or roll back (then this one is). PostgreSQL, and SQLite 3.35+.
"""

from __future__ import annotations

from django.db import connection
from django.db.models import Model
from django.db.models.constants import OnConflict
from django.db.models.sql import InsertQuery

CHUNK = 1_000  # rows per statement


def insert_unless_taken(rows: list[Model], *, key: str) -> list[Model]:
    """The rows stored now, with their ids, in id order; a row is left out when any unique
    key of its table is taken (by a row stored before or a twin in flight). `key` names a
    unique field that tells the rows apart (what comes back is matched by it).

    Django's own INSERT (`InsertQuery`, as bulk_create builds it: on PostgreSQL one
    `UNNEST` of an array per column, not thousands of placeholders to parse and plan),
    with the `RETURNING` that bulk_create does not give when it ignores conflicts."""
    if not rows:
        return []
    model = type(rows[0])
    meta = model._meta
    fields = [field for field in meta.concrete_fields if not field.primary_key]
    key_field = meta.get_field(key)
    stored: list[Model] = []
    for start in range(0, len(rows), CHUNK):
        chunk = {getattr(row, key_field.attname): row for row in rows[start : start + CHUNK]}
        query = InsertQuery(model, on_conflict=OnConflict.IGNORE)
        query.insert_values(fields, list(chunk.values()))
        returned = query.get_compiler(using=connection.alias).execute_sql([meta.pk, key_field])
        for found in returned:
            if found is None:  # one row, and it was not stored
                continue
            pk, value = found
            row = chunk[value]
            row.pk = pk
            row._state.adding, row._state.db = False, connection.alias
            stored.append(row)
    return sorted(stored, key=lambda row: row.pk)
