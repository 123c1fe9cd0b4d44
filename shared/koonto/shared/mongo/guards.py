"""Guarded single-document writes resolved by `_id` first, for stores that scan on anything else.

FerretDB v1 (SQLite backend) answers a filter of `_id` plus a guard (`{"_id": k, "status": "pending"}`) by
reading the whole collection, and a filter of `_id` alone several times faster (measured on 1.24, 3,000
documents: find by `_id` 4 ms, update by `_id` 9 ms, update by `_id` plus one guard field 42 ms; every one of them
grows with the collection). On such a store `Collection` reads the document by `_id`, decides the guard here,
and writes by `_id` alone, while it holds the document's lock (`locks.py`): one process's writes to a document
stay serialised as before. Across processes it is no weaker than the store itself, which does not apply a
guarded update atomically either (see `locks.py`); what must hold across replicas rests on unique-key inserts.

`matches` decides the small filter language guards are written in: equality (`None` also matches a missing
field), `$eq`, `$ne`, `$in`, `$nin`, `$lt`, `$lte`, `$gt`, `$gte`, `$exists`, dotted paths into sub-documents.
Anything else (`$or`, an array value, an unknown operator) is `Unsupported`, and the write goes to the store with
its whole filter as before.
"""

from __future__ import annotations

import operator
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from typing import Any

MISSING = object()


class Unsupported(Exception):
    """The filter uses something `matches` does not decide: the store must."""


def _ms(value: Any) -> Any:
    """Datetimes as the store compares them: UTC, whole milliseconds (BSON dates hold no more)."""
    if isinstance(value, datetime):
        aware = value if value.tzinfo else value.replace(tzinfo=UTC)
        return aware.astimezone(UTC).replace(microsecond=aware.microsecond // 1000 * 1000)
    return value


def _lookup(doc: Mapping[str, Any], path: str) -> Any:
    value: Any = doc
    for part in path.split("."):
        if isinstance(value, list):
            raise Unsupported(path)  # array traversal: left to the store
        if not isinstance(value, Mapping) or part not in value:
            return MISSING
        value = value[part]
    if isinstance(value, list):
        raise Unsupported(path)
    return value


def _equal(value: Any, wanted: Any) -> bool:
    if isinstance(wanted, (list, Mapping)):
        raise Unsupported(repr(wanted))
    if wanted is None:
        return value is MISSING or value is None
    if value is MISSING or value is None:
        return False
    if isinstance(value, bool) != isinstance(wanted, bool):
        return False  # BSON keeps booleans and numbers apart
    return bool(_ms(value) == _ms(wanted))


def _compare(test: Callable[[Any, Any], bool]) -> Callable[[Any, Any], bool]:
    def decide(value: Any, wanted: Any) -> bool:
        if value is MISSING or value is None or wanted is None:
            return False
        left, right = _ms(value), _ms(wanted)
        numbers = (int, float)
        same_kind = (isinstance(left, numbers) and isinstance(right, numbers)) or type(left) is type(right)
        if not same_kind or isinstance(left, bool) or isinstance(right, bool):
            raise Unsupported(f"{left!r} vs {right!r}")  # BSON's order across types: left to the store
        return bool(test(left, right))

    return decide


def _in(value: Any, wanted: Any) -> bool:
    if not isinstance(wanted, (list, tuple)):
        raise Unsupported("$in needs a list")
    return any(_equal(value, w) for w in wanted)


def _exists(value: Any, wanted: Any) -> bool:
    return (value is not MISSING) == bool(wanted)


OPERATORS: dict[str, Callable[[Any, Any], bool]] = {
    "$eq": _equal,
    "$ne": lambda value, wanted: not _equal(value, wanted),
    "$in": _in,
    "$nin": lambda value, wanted: not _in(value, wanted),
    "$lt": _compare(operator.lt),
    "$lte": _compare(operator.le),
    "$gt": _compare(operator.gt),
    "$gte": _compare(operator.ge),
    "$exists": _exists,
}


def matches(doc: Mapping[str, Any], filter: Mapping[str, Any]) -> bool:
    """Whether `doc` matches `filter` as MongoDB would decide it; raises `Unsupported` where this cannot tell."""
    for path, condition in filter.items():
        if path.startswith("$"):
            raise Unsupported(path)
        value = _lookup(doc, path)
        if isinstance(condition, Mapping) and condition and all(str(k).startswith("$") for k in condition):
            for name, wanted in condition.items():
                test = OPERATORS.get(name)
                if test is None:
                    raise Unsupported(name)
                if not test(value, wanted):
                    return False
        elif not _equal(value, condition):
            return False
    return True


def by_id_first(filter: Mapping[str, Any]) -> Any:
    """The scalar `_id` of a filter that names one document by it plus guards; MISSING when the filter is not of
    that shape (a lone `_id` is fast on every store already)."""
    doc_id = filter.get("_id", MISSING)
    if doc_id is MISSING or isinstance(doc_id, (Mapping, list)) or len(filter) < 2:
        return MISSING
    return doc_id
