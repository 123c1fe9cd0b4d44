"""Values that compare and read back the same on every supported store.

nx-27017 (0.8) stores a datetime written by `$set` into an existing document as text ('2026-11-29 19:51:29.015'),
so filters compare times as integers (`epoch_ms`) or fixed-width UTC text (`instant`), and datetimes read back
are revived here.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any

from koonto.shared.clock import as_utc, utcnow

Document = dict[str, Any]  # a document as stored and read back; `from koonto.shared.mongo import Document`

_STORED_AS_TEXT = re.compile(r"^\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}:\d{2}(\.\d+)?([+-]\d{2}:\d{2}|Z)?$")


def epoch_ms(moment: datetime | None = None) -> int:
    """Whole epoch milliseconds: the form of a time that every supported store compares correctly."""
    return int((moment or utcnow()).timestamp() * 1000)


def instant(value: datetime) -> str:
    """A moment as fixed-width UTC ISO text: compares in time order as text on every store."""
    return as_utc(value).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def parse_instant(value: str | datetime | None) -> datetime | None:
    if value is None or isinstance(value, datetime):
        return value
    return datetime.fromisoformat(value)


def _as_datetime(value: Any) -> Any:
    if isinstance(value, str) and _STORED_AS_TEXT.match(value):
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
        return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)
    return value


def revive_fields(doc: Document | None, fields: Iterable[str]) -> Document | None:
    """The named top-level fields as datetimes again, where the store handed them back as text."""
    if doc is not None:
        for field in fields:
            if field in doc:
                doc[field] = _as_datetime(doc[field])
    return doc


def revive(doc: Any) -> Any:
    """Every `*_at` field, at any depth (sub-documents and lists of them), as a datetime again."""
    if isinstance(doc, dict):
        for key, item in doc.items():
            if key.endswith("_at") and isinstance(item, str):
                doc[key] = _as_datetime(item)
            elif isinstance(item, (dict, list)):
                revive(item)
    elif isinstance(doc, list):
        for item in doc:
            if isinstance(item, (dict, list)):
                revive(item)
    return doc
