"""The ESF+ figures of a training or forum, derived from who was ticked on its check-in list.

Pure: the registrations (advisory's copies, with the gender each told on the form, their organisation and
municipality) and the ids ticked in; no store, no clock. A registration whose person was erased still counts
(that someone came is not personal data), its gender as not told."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

GENDER_COUNTS = {"woman": "women", "man": "men", "other": "other"}


@dataclass(frozen=True)
class Figures:
    participants_total: int = 0
    women: int = 0
    men: int = 0
    other: int = 0
    not_told: int = 0
    organisations: list[str] = field(default_factory=list)
    municipalities: list[str] = field(default_factory=list)  # codes, "other" for one outside the region

    def counts(self) -> dict[str, int]:
        return {"participants_total": self.participants_total, "women": self.women, "men": self.men,
                "other": self.other, "not_told": self.not_told}


def derive(registrations: list[dict[str, Any]], present: set[str]) -> Figures:
    """The figures of those ticked in (ids not among the registrations are ignored: a stale page)."""
    came = [r for r in registrations if r["_id"] in present]
    by_gender = {"women": 0, "men": 0, "other": 0}
    for registration in came:
        key = GENDER_COUNTS.get(str(registration.get("gender") or ""))
        if key is not None:
            by_gender[key] += 1
    organisations = sorted({str(r["organisation_name"]).strip()[:200] for r in came
                            if str(r.get("organisation_name") or "").strip()})
    municipalities = sorted({str(r["municipality"]) for r in came if r.get("municipality")})
    total = len(came)
    return Figures(total, not_told=total - sum(by_gender.values()), organisations=organisations,
                   municipalities=municipalities, **by_gender)
