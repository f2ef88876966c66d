"""Small SQL helpers shared by the aggregate modules."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable
from functools import cache
from typing import Any, TypeVar

import asyncpg
import msgspec

from domain.errors import Conflict


def set_clause(changes: dict[str, Any], allowed: Iterable[str], params: list[Any]) -> str:
    """``col = $n, …`` for the changed columns (names come from an allow-list, never from
    the client), plus the updated_at stamp."""
    allowed = set(allowed)
    parts = []
    for column, value in changes.items():
        if column not in allowed:
            raise ValueError(f"column {column!r} may not be updated")
        params.append(value)
        parts.append(f"{column} = ${len(params)}")
    parts.append("updated_at = clock_timestamp()")
    return ", ".join(parts)


def conflict_from(error: asyncpg.UniqueViolationError, codes: dict[str, str]) -> Conflict:
    """Map a unique index to the client-facing conflict code that names what is taken."""
    code = codes.get(error.constraint_name or "", "already_exists")
    return Conflict(code)


def snapshot(thing: Any) -> dict[str, Any]:
    """A JSON-ready copy of a model (or a row) for event data (decimals as strings, times as
    RFC 3339), its fields in their declared order."""
    items = ((f.name, getattr(thing, f.name)) for f in dataclasses.fields(thing)) \
        if dataclasses.is_dataclass(thing) else thing.items()
    return msgspec.to_builtins({k: v for k, v in items if k != "street_id"})


M = TypeVar("M")


@cache
def _field_names(model_type: type) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The model's fields: those every row must carry, and those with a default, which a row
    may lack (a part the use case attaches afterwards, e.g. a proposal's vote)."""
    fields = dataclasses.fields(model_type)
    optional = tuple(f.name for f in fields
                     if f.default is not dataclasses.MISSING or f.default_factory is not dataclasses.MISSING)
    return tuple(f.name for f in fields if f.name not in optional), optional


def _present(names: tuple[tuple[str, ...], tuple[str, ...]], record: asyncpg.Record) -> tuple[str, ...]:
    """The model's fields this query's rows carry: every required one, and the optional ones
    among its columns (the same for every row of one query, so a page asks once)."""
    required, optional = names
    if not optional:
        return required
    columns = set(record.keys())
    return required + tuple(name for name in optional if name in columns)


def model(model_type: type[M], record: asyncpg.Record | None) -> M | None:
    """A row as the feature's frozen model (``domain/<feature>.py``): the store's answer, so
    no ``Record`` leaves the store. Columns the model does not name are left out."""
    if record is None:
        return None
    return model_type(**{name: record[name] for name in _present(_field_names(model_type), record)})


def one(model_type: type[M], record: asyncpg.Record | None) -> M:
    """The model of a row that an INSERT or UPDATE … RETURNING always yields."""
    if record is None:
        raise LookupError(f"expected a {model_type.__name__} row")
    return model_type(**{name: record[name] for name in _present(_field_names(model_type), record)})


def models(model_type: type[M], records: Iterable[asyncpg.Record]) -> list[M]:
    records = list(records)
    if not records:
        return []
    present = _present(_field_names(model_type), records[0])
    return [model_type(**{name: record[name] for name in present}) for record in records]
