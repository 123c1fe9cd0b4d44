"""Partner suggestions: the case page's list of consenting associations with similar ideas (with the reasons, in
the staff member's language; its introduction button posts to `cases.py`), and the coordinator's clusters of
similar ideas across the region."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from koonto.advisory.bootstrap import AdvisoryContainer, Deps
from koonto.advisory.domain.partners.ranking import Reason
from koonto.advisory.web.deps import PageCoordinator
from koonto.advisory.web.labels import REASON_LABELS
from koonto.advisory.web.pages.common import PREFIX, gettext, municipality_label, render, theme_labels
from koonto.shared.mongo import Document

router = APIRouter(prefix=PREFIX, include_in_schema=False)


def reason_text(request: Request, reason: Reason) -> str:
    """One reason as the staff read it: "sama teema: Ikäihmiset", "naapurikunta Siilinjärvi"."""
    if reason.kind == "theme":
        values = theme_labels(request, reason.values)
    elif reason.kind in ("municipality", "neighbour"):
        values = [municipality_label(request, code) for code in reason.values]
    else:
        values = list(reason.values)
    one, several = REASON_LABELS[reason.kind]
    return gettext(request, one if len(values) == 1 else several) % {"values": ", ".join(values)}


async def partner_context(request: Request, advisory: AdvisoryContainer, case: Document) -> dict[str, Any]:
    """What the case page shows of partners: the suggestions and the introductions made."""
    introductions = await advisory.partners.introductions(case["_id"])
    introduced = {other: i for i in introductions for other in i["case_ids"] if other != case["_id"]}
    suggestions = [
        {
            "case_id": s.profile.case_id, "reference": s.profile.reference, "title": s.profile.title,
            "organisation": s.profile.organisation,
            "municipality": municipality_label(request, s.profile.municipality),
            "reasons": "; ".join(reason_text(request, r) for r in s.reasons),
            "introduced": introduced.get(s.profile.case_id),
        }
        for s in await advisory.partners.suggestions(case)
    ]
    return {"suggestions": suggestions, "introductions": introductions}


@router.get("/partners")
async def clusters(request: Request, advisory: Deps, principal: PageCoordinator) -> HTMLResponse:
    found = await advisory.partners.clusters()
    shown = [
        {
            "members": [
                {"case_id": p.case_id, "reference": p.reference, "title": p.title, "organisation": p.organisation,
                 "municipality": municipality_label(request, p.municipality)}
                for p in cluster.members
            ],
            "themes": ", ".join(theme_labels(request, cluster.themes)),
            "words": ", ".join(cluster.words),
            "places": ", ".join(
                f"{municipality_label(request, code)} ({n})" for code, n in cluster.municipalities
            ),
        }
        for cluster in found
    ]
    return render(
        request, "partners.html", page_title=gettext(request, "Samankaltaisten ideoiden ryhmät"), clusters=shown,
        listed=len(advisory.partners.index),
    )
