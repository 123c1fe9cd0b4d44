"""Sample events for tests: valid by default, any field overridable."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

from koonto.shared.contracts import Envelope, EventData, make_envelope
from koonto.shared.contracts.intake import Consents, Contact, IdeaSubmitted, Organisation


def idea_submitted(**overrides: Any) -> IdeaSubmitted:
    idea_id = overrides.pop("idea_id", str(uuid.uuid4()))
    values: dict[str, Any] = {
        "idea_id": idea_id,
        "reference": overrides.pop("reference", "KOO-2026-0001"),
        "submitted_at": datetime(2026, 11, 2, 9, 30, tzinfo=UTC),
        "organisation": Organisation(
            name="Kyläyhdistys Toivala ry", type="registered_association", business_id="1572860-0",
            municipality="siilinjarvi",
        ),
        "contact": Contact(
            name="Maija Meikäläinen", email="maija@example.fi", phone="+358401234567", language="fi",
            channel="email",
        ),
        "title": "Kylätalon kohtaamispaikka",
        "description": "Avataan kylätalo kaikenikäisten kohtaamispaikaksi.",
        "themes": ("village", "inclusion"),
        "target_groups": ("ikäihmiset", "lapsiperheet"),
        "estimated_budget_eur": 25000,
        "schedule": "2027",
        "consents": Consents(privacy_notice=True, publication=True),
        "status_url": f"http://127.0.0.1:8001/tila/{idea_id}?t=signed",
    }
    values.update(overrides)
    return IdeaSubmitted(**values)


def envelope(data: EventData, *, subject: str | None = None, region: str = "pohjois-savo", **kw: Any) -> Envelope:
    subject = subject or str(getattr(data, "idea_id", None) or getattr(data, "case_id", None) or uuid.uuid4())
    return make_envelope(data, subject=subject, region=region, **kw)
