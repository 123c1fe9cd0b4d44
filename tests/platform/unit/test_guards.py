"""`koonto.shared.mongo.guards.matches` decides a guard as MongoDB does (checked against mongomock's matcher on
generated documents and filters), and hands back what it cannot decide."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import mongomock
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from koonto.shared.mongo.guards import MISSING, Unsupported, by_id_first, matches

T0 = datetime(2026, 12, 1, 8, 0, tzinfo=UTC)
FIELDS = ("status", "claim_n", "due_at", "locked_by")
SCALARS = {
    "status": st.sampled_from(["pending", "sending", "sent"]),
    "claim_n": st.one_of(st.none(), st.integers(0, 3)),
    "due_at": st.integers(-3, 3).map(lambda s: T0 + timedelta(seconds=s)),
    "locked_by": st.one_of(st.none(), st.sampled_from(["a", "b"])),
}


@st.composite
def documents(draw: st.DrawFn) -> dict[str, Any]:
    doc: dict[str, Any] = {"_id": "d1"}
    for field in FIELDS:
        if draw(st.booleans()):
            doc[field] = draw(SCALARS[field])
    if draw(st.booleans()):
        doc["context"] = {"lang": draw(st.sampled_from(["fi", "sv"]))}
    return doc


@st.composite
def conditions(draw: st.DrawFn, field: str) -> Any:
    value = SCALARS[field]
    kind = draw(st.sampled_from(["eq", "$eq", "$ne", "$in", "$nin", "$exists", "cmp"]))
    if kind == "eq":
        return draw(value)
    if kind in ("$in", "$nin"):
        return {kind: draw(st.lists(value, max_size=3))}
    if kind == "$exists":
        return {"$exists": draw(st.booleans())}
    if kind == "cmp":
        if field not in ("claim_n", "due_at"):
            return draw(value)
        op = draw(st.sampled_from(["$lt", "$lte", "$gt", "$gte"]))
        wanted = draw(value.filter(lambda v: v is not None))
        return {op: wanted}
    return {kind: draw(value)}


@st.composite
def filters(draw: st.DrawFn) -> dict[str, Any]:
    flt: dict[str, Any] = {"_id": "d1"}
    for field in draw(st.lists(st.sampled_from(FIELDS), min_size=1, max_size=3, unique=True)):
        flt[field] = draw(conditions(field))
    if draw(st.booleans()):
        flt["context.lang"] = draw(st.sampled_from(["fi", "sv", None]))
    return flt


@settings(max_examples=600, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(doc=documents(), flt=filters())
def test_matches_decides_as_the_store_does(doc: dict[str, Any], flt: dict[str, Any]) -> None:
    collection = mongomock.MongoClient(tz_aware=True).db.c
    collection.insert_one(doc)
    expected = collection.find_one(flt) is not None
    assert matches(doc, flt) is expected, (doc, flt)


def test_times_compare_at_the_stores_millisecond_precision() -> None:
    stored = {"_id": "d", "locked_until": datetime(2026, 12, 1, 8, 0, 0, 123000, tzinfo=UTC)}
    in_memory = datetime(2026, 12, 1, 8, 0, 0, 123456, tzinfo=UTC)  # what the writer held before the store cut it
    assert matches(stored, {"_id": "d", "locked_until": in_memory})
    assert matches(stored, {"_id": "d", "locked_until": {"$lte": in_memory}})
    assert not matches(stored, {"_id": "d", "locked_until": {"$lt": in_memory}})
    naive = datetime(2026, 12, 1, 8, 0, 0, 123000)  # PyMongo writes a naive datetime as UTC
    assert matches(stored, {"_id": "d", "locked_until": naive})


def test_booleans_are_not_numbers() -> None:
    assert not matches({"_id": "d", "flag": True}, {"_id": "d", "flag": 1})
    assert matches({"_id": "d", "flag": True}, {"_id": "d", "flag": True})


@pytest.mark.parametrize(
    ("doc", "flt"),
    [
        ({"_id": "d", "tags": ["a", "b"]}, {"_id": "d", "tags": "a"}),  # array element match
        ({"_id": "d", "status": "x"}, {"_id": "d", "$or": [{"status": "x"}]}),
        ({"_id": "d", "status": "x"}, {"_id": "d", "status": {"$regex": "x"}}),
        ({"_id": "d", "n": 1}, {"_id": "d", "n": {"$gt": "a"}}),  # across BSON types
        ({"_id": "d", "ctx": {"a": 1}}, {"_id": "d", "ctx": {"a": 1}}),  # whole sub-document equality
    ],
)
def test_what_it_cannot_decide_goes_to_the_store(doc: dict[str, Any], flt: dict[str, Any]) -> None:
    with pytest.raises(Unsupported):
        matches(doc, flt)


def test_only_an_id_with_guards_is_resolved_by_id_first() -> None:
    assert by_id_first({"_id": "k", "status": "pending"}) == "k"
    assert by_id_first({"_id": "k"}) is MISSING  # a lone _id is fast everywhere
    assert by_id_first({"_id": {"$in": ["k"]}, "status": "pending"}) is MISSING
    assert by_id_first({"status": "pending"}) is MISSING
