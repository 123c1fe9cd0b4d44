"""The container, typed, for the routers."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from koonto.notify.bootstrap import NotifyContainer
from koonto.shared.auth import StaffPrincipal, require_staff
from koonto.shared.web import get_container


def container(request: Request) -> NotifyContainer:
    found: NotifyContainer = get_container(request)
    return found


Deps = Annotated[NotifyContainer, Depends(container)]
Staff = Annotated[StaffPrincipal, Depends(require_staff("coordinator", "advisor"))]
Coordinator = Annotated[StaffPrincipal, Depends(require_staff("coordinator"))]
