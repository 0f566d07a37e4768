"""ORM queries compiled once per database connection and run again with new parameter values.

Every API request looks up its key and its project. Building and compiling those two querysets cost
the ORM about 2 ms each, many times the database's own work. `PrecompiledQuery` builds the queryset
once, with *placeholder values* for the per-request parameters, keeps the compiled SQL and the
compiler's value converters, and afterwards only substitutes the parameters and runs the SQL through
the connection's cursor (so query logging, `execute_wrapper`s and `CaptureQueriesContext` see it).

The queryset is still written with the ORM, so the SQL stays the ORM's, for both databases.
"""

import weakref
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from typing import Any

from django.db import connections
from django.db.models import QuerySet
from django.db.models.sql.compiler import SQLCompiler


@dataclass(frozen=True)
class _Compiled:
    sql: str
    params: tuple  # constants, or `_Slot`s naming the placeholder whose value goes there
    compiler: SQLCompiler
    converters: dict


class PrecompiledQuery:
    """`build(**examples)` → a `values_list()` queryset; `rows(**values)` runs it with `values` instead.

    `placeholders` maps each parameter name to a value no request can send (it must reach the SQL
    parameters unchanged, as strings and integers do)."""

    def __init__(self, build: Callable[..., QuerySet], **placeholders: Any):
        self.build, self.placeholders = build, placeholders
        self._by_connection: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()

    def _compile(self, connection) -> _Compiled:
        queryset = self.build(**self.placeholders)
        compiler = queryset.query.get_compiler(connection=connection)
        sql, params = compiler.as_sql()
        by_value = {value: name for name, value in self.placeholders.items()}
        filled = tuple(_Slot(by_value[p]) if _hashable(p) and p in by_value else p for p in params)
        if {slot.name for slot in filled if isinstance(slot, _Slot)} != set(self.placeholders):
            raise ValueError("a placeholder did not reach the SQL parameters unchanged")
        converters = compiler.get_converters([column for column, _, _ in compiler.select[: compiler.col_count]])
        return _Compiled(sql=sql, params=filled, compiler=compiler, converters=converters)

    def rows(self, using: str = "default", **values: Any) -> list[tuple]:
        connection = connections[using]
        compiled = self._by_connection.get(connection)
        if compiled is None:
            compiled = self._by_connection[connection] = self._compile(connection)
        params = [values[p.name] if isinstance(p, _Slot) else p for p in compiled.params]
        with connection.cursor() as cursor:
            cursor.execute(compiled.sql, params)
            rows = cursor.fetchall()
        if compiled.converters:
            rows = [tuple(row) for row in compiled.compiler.apply_converters(rows, compiled.converters)]
        return rows


@dataclass(frozen=True)
class _Slot:
    name: str


def _hashable(value: Any) -> bool:
    try:
        hash(value)
    except TypeError:
        return False
    return True


@cache
def row_columns(model, prefix: str = "") -> tuple[tuple[str, ...], tuple[str, ...]]:
    """A model's concrete fields: (the `values_list` paths, under `prefix`; the attnames `from_db` takes)."""
    fields = model._meta.concrete_fields
    return tuple(prefix + field.name for field in fields), tuple(field.attname for field in fields)


def instance_from_row(model, row: tuple, start: int, using: str = "default"):
    """The `model` instance whose `row_columns` values start at `row[start]`."""
    attnames = row_columns(model)[1]
    return model.from_db(using, attnames, row[start : start + len(attnames)])
