"""Documents as the API shows them: ids named, timelines as lists in time order, no internals."""

from __future__ import annotations

from typing import Any

INTERNAL = {"outbox", "outbox_pending", "search", "version", "password_hash", "timeline"}


def timeline(doc: dict[str, Any]) -> list[dict[str, Any]]:
    entries = (doc.get("timeline") or {}).values()
    return sorted(entries, key=lambda e: (e.get("at"), e.get("id")))


def case_json(doc: dict[str, Any], *, with_timeline: bool = False) -> dict[str, Any]:
    out = {k: v for k, v in doc.items() if k not in INTERNAL and k != "_id"}
    out["case_id"] = doc["_id"]
    if "sla" in out and isinstance(out["sla"], dict):
        out["sla"] = {**out["sla"], "fired": bool(out["sla"].get("fired"))}
    if "contact_erased" in out:
        out["contact_erased"] = bool(out["contact_erased"])
    if with_timeline:
        out["timeline"] = timeline(doc)
    return out


def plain(doc: dict[str, Any], id_name: str) -> dict[str, Any]:
    out = {k: v for k, v in doc.items() if k not in INTERNAL and k != "_id"}
    out[id_name] = doc["_id"]
    for key in ("fired", "done", "active", "erased"):
        if key in out:
            out[key] = bool(out[key])
    if isinstance(out.get("notices"), dict):
        out["notices"] = {k: bool(v) for k, v in out["notices"].items()}
    return out
