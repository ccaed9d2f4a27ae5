"""`INSERT … ON CONFLICT DO NOTHING RETURNING`: rows stored unless a unique key is taken,
in one statement, with their ids.

Where a row may already exist (a message delivered twice, an address that wrote before,
a twin in flight), the alternative is a savepoint, the insert and its release, and an
IntegrityError rolled back when it exists: three round trips instead of one. A twin in
flight still waits on the unique index for the first to commit (then nothing is stored)
or roll back (then this one is). PostgreSQL, and SQLite 3.35+.
"""

from __future__ import annotations

import datetime as dt
import decimal
import json
import uuid

from django.db import connection
from django.db.models import Field, Model
from django.db.models.constants import OnConflict
from django.db.models.sql import InsertQuery
from psycopg.types.json import Jsonb

CHUNK = 1_000  # rows per statement


def insert_unless_taken(rows: list[Model], *, key: str) -> list[Model]:
    """The rows stored now, with their ids, in id order; a row is left out when any unique
    key of its table is taken (by a row stored before or a twin in flight). `key` names a
    unique field that tells the rows apart (what comes back is matched by it)."""
    if not rows:
        return []
    model = type(rows[0])
    meta = model._meta
    fields = [field for field in meta.concrete_fields if not field.primary_key]
    key_field = meta.get_field(key)
    stored: list[Model] = []
    for start in range(0, len(rows), CHUNK):
        chunk = {getattr(row, key_field.attname): row for row in rows[start : start + CHUNK]}
        if _as_records(fields, chunk):
            returned = _insert_records(model, fields, list(chunk.values()), key_field)
        else:
            returned = _insert_compiled(model, fields, list(chunk.values()), key_field)
        for found in returned:
            if found is None:  # one row, and it was not stored
                continue
            pk, value = found
            row = chunk[value]
            row.pk = pk
            row._state.adding, row._state.db = False, connection.alias
            stored.append(row)
    return sorted(stored, key=lambda row: row.pk)


def _insert_compiled(model, fields, rows, key_field) -> list:
    """Django's own INSERT (`InsertQuery`, as bulk_create builds it), with the `RETURNING`
    that bulk_create does not give when it ignores conflicts."""
    query = InsertQuery(model, on_conflict=OnConflict.IGNORE)
    query.insert_values(fields, rows)
    return query.get_compiler(using=connection.alias).execute_sql([model._meta.pk, key_field])


def _as_records(fields: list[Field], rows: dict) -> bool:
    # The cases Django's own PostgreSQL insert compiler leaves to a VALUES list, with
    # columns whose values JSON carries as PostgreSQL reads them (_plain).
    return (
        connection.vendor == "postgresql"
        and len(rows) > 1
        and not any(hasattr(field, "get_placeholder") for field in fields)
        and not any(getattr(field, "encoder", None) for field in fields)  # json.dumps's own
        and all(
            (field.target_field if field.is_relation else field).get_internal_type()
            in _JSON_READABLE
            for field in fields
        )
    )


_JSON_READABLE = {
    "AutoField",
    "BigAutoField",
    "BigIntegerField",
    "BooleanField",
    "CharField",
    "DateField",
    "DateTimeField",
    "DecimalField",
    "EmailField",
    "FloatField",
    "IntegerField",
    "JSONField",
    "PositiveBigIntegerField",
    "PositiveIntegerField",
    "PositiveSmallIntegerField",
    "SlugField",
    "SmallIntegerField",
    "TextField",
    "URLField",
    "UUIDField",
}


def _plain(value):
    """A prepared database value as JSON carries it: PostgreSQL reads a timestamp, a date,
    a uuid or a numeric from its text, and a JSON column from the JSON itself."""
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    if isinstance(value, uuid.UUID | decimal.Decimal):
        return str(value)
    return value.obj if isinstance(value, Jsonb) else value


def _insert_records(model, fields, rows, key_field) -> list[tuple]:
    """The rows' differing columns as one JSON array of records (`jsonb_to_recordset`),
    and one parameter for a column that holds the same value in every row (the sweep's
    600 rows share most of their 21 columns).

    What Django's compiler does for bulk_create, without preparing each of the rows × columns
    values through it (two thirds of a 600-row insert's time went there), and without
    psycopg dumping an array per column element by element in Python (one `json.dumps`
    instead: about a third off a 600-row insert, bench/bulk_insert.py)."""
    selected, columns, params = [], [], []
    records: list[dict] = [{} for _ in rows]
    for field in fields:
        values = [field.pre_save(row, True) for row in rows]
        if any(hasattr(value, "resolve_expression") for value in values):
            return _insert_compiled(model, fields, rows, key_field)
        cast = field.db_type(connection).split("(")[0]  # varchar, not varchar(64): no cut
        first = values[0]
        if all(value is first or value == first for value in values):
            selected.append(f"%s::{cast}")
            params.append(field.get_db_prep_save(first, connection))
            continue
        prepared: dict[int, object] = {}  # a value shared by rows (one context) once
        name = f"c{len(columns)}"
        for record, value in zip(records, values, strict=True):
            if id(value) not in prepared:
                prepared[id(value)] = _plain(field.get_db_prep_save(value, connection))
            record[name] = prepared[id(value)]
        columns.append(f"{name} {cast}")
        selected.append(f"u.{name}")
    quote = connection.ops.quote_name
    meta = model._meta
    sql = (
        f"INSERT INTO {quote(meta.db_table)} ({', '.join(quote(f.column) for f in fields)}) "
        f"SELECT {', '.join(selected)} "
        f"FROM jsonb_to_recordset(%s::jsonb) AS u({', '.join(columns)}) "
        f"ON CONFLICT DO NOTHING RETURNING {quote(meta.pk.column)}, {quote(key_field.column)}"
    )
    with connection.cursor() as cursor:
        # The SELECT list's scalars come before the FROM's records in the statement.
        cursor.execute(sql, [*params, json.dumps(records, ensure_ascii=False)])
        return cursor.fetchall()
