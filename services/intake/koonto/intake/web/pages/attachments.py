"""Downloading an idea's attachments: for staff (linked from advisory's case page) and for the association
through its status link. The bytes stay in intake, which owns them; advisory only has the metadata from
`idea-submitted` (docs/architecture.md, "Attachments").

Every answer is a download (`Content-Disposition: attachment`, the name in RFC 6266 `filename*`), with
`X-Content-Type-Options: nosniff` and a sandboxing CSP, so a file is never rendered in the service's origin."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException
from fastapi.responses import Response

from koonto.intake.domain.attachments import content_disposition
from koonto.intake.web.deps import Deps
from koonto.shared.auth import StaffPrincipal, require_staff
from koonto.shared.mongo import Document

router = APIRouter(include_in_schema=False)

CaseStaff = Annotated[StaffPrincipal, Depends(require_staff("advisor", "coordinator"))]


def download(found: tuple[Document, bytes] | None) -> Response:
    if found is None:
        raise HTTPException(404)
    meta, data = found
    return Response(
        data,
        media_type=meta["type"],
        headers={
            "Content-Disposition": content_disposition(meta["name"]),
            "X-Content-Type-Options": "nosniff",
            "Content-Security-Policy": "default-src 'none'; sandbox",
            "Cache-Control": "private, no-store",
        },
    )


@router.get("/attachments/{idea_id}/{attachment_id}")
async def staff_download(idea_id: str, attachment_id: str, deps: Deps, staff: CaseStaff) -> Response:
    idea = await deps.views.idea(idea_id)
    if idea is not None and not staff.may(idea.get("region") or deps.infra.regions.home.code, "advisor", "coordinator"):
        idea = None  # another region's case: as not found
    return download(await deps.uploads.file_of_idea(idea, attachment_id) if idea else None)


@router.get("/status/{token}/attachments/{attachment_id}")
async def own_download(token: str, attachment_id: str, deps: Deps) -> Response:
    idea = await deps.views.idea_of_status_link(token)
    return download(await deps.uploads.file_of_idea(idea, attachment_id))
