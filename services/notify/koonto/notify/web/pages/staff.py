"""What every staff page of notify renders with: the signed-in person and the way back to the staff workspace
(advisory's pages), so that notify's pages sit in the one staff navigation."""

from __future__ import annotations

from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse

from koonto.notify.web.deps import Deps
from koonto.shared.auth import StaffPrincipal


def render_staff(
    request: Request, deps: Deps, principal: StaffPrincipal, template: str, **context: Any
) -> HTMLResponse:
    workspace = str(deps.settings.advisory_public_url).rstrip("/")
    return deps.pages.render(request, template, staff=principal, workspace=workspace, **context)
