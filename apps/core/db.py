"""Database helpers the ORM does not offer fast enough."""

from collections.abc import Sequence

from django.db import connection, models


def rows_update(model: type[models.Model], rows: Sequence[models.Model], field_names: Sequence[str]) -> None:
    """UPDATE many rows by primary key in one executemany.

    Django's bulk_update builds a CASE WHEN per row and field; for a book of a few
    hundred positions updated every poll that expression building costs more CPU
    than the database does. Values go through each field's own get_db_prep_save,
    so Decimals and aware datetimes are stored exactly as the ORM would store them.
    """
    if not rows:
        return
    fields = [model._meta.get_field(name) for name in field_names]
    quote = connection.ops.quote_name
    assignments = ", ".join(f"{quote(field.column)} = %s" for field in fields)
    pk_column = quote(model._meta.pk.column)
    sql = f"UPDATE {quote(model._meta.db_table)} SET {assignments} WHERE {pk_column} = %s"
    params = [
        [field.get_db_prep_save(getattr(row, field.attname), connection) for field in fields] + [row.pk]
        for row in rows
    ]
    with connection.cursor() as cursor:
        cursor.executemany(sql, params)
