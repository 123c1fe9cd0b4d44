"""The container, typed, for the routers."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from koonto.notify.bootstrap import NotifyContainer
from koonto.shared.auth import StaffPrincipal, require_staff
from koonto.shared.mongo import Document
from koonto.shared.web import get_container


def container(request: Request) -> NotifyContainer:
    found: NotifyContainer = get_container(request)
    return found


Deps = Annotated[NotifyContainer, Depends(container)]
Staff = Annotated[StaffPrincipal, Depends(require_staff("coordinator", "advisor"))]
Coordinator = Annotated[StaffPrincipal, Depends(require_staff("coordinator"))]


def visible_regions(deps: NotifyContainer, principal: StaffPrincipal, *roles: str) -> frozenset[str] | None:
    """The regions whose deliveries, fan-outs and newsletters the account sees; None: no limit (one region
    served, or an admin). An account without region roles (from before regions) works in the home region."""
    regions = deps.core.infra.regions
    if not regions.several or principal.is_global:
        return None
    if not principal.region_roles:
        return frozenset({regions.home.code})
    return principal.regions_with(*(roles or ("coordinator", "advisor")))


def in_regions(doc: Document, allowed: frozenset[str] | None, home: str) -> bool:
    """Whether a stored delivery / fan-out / campaign is of an allowed region (one without a region: home's)."""
    return allowed is None or (doc.get("region") or home) in allowed
