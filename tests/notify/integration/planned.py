"""Receipt deliveries as the planner writes them, for tests that put them into the queue themselves."""

from __future__ import annotations

from typing import Any

from koonto.notify.samples import sample
from tests.support.samples import envelope, idea_submitted


def planned_receipts(planner: Any, n: int, prefix: str, fanout_id: str | None = None) -> list[dict[str, Any]]:
    """`n` receipt deliveries to `<prefix>000@example.fi`, `<prefix>001@example.fi`, … (one cause), queued as the
    planner would, optionally as mails of fan-out `fanout_id`."""
    cause = envelope(idea_submitted())
    return [
        planner.plan(cause, kind="receipt", channel="email", address=f"{prefix}{i:03d}@example.fi", language="fi",
                     name=None, context=sample("receipt"), recipient_ref=f"{prefix}{i}", fanout_id=fanout_id)
        for i in range(n)
    ]
