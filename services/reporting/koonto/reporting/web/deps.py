"""What a route gets from the service: its container (built once by `bootstrap`), typed."""

from __future__ import annotations

from typing import Annotated, cast

from fastapi import Depends, Request

from koonto.reporting.bootstrap import ReportingContainer
from koonto.shared.auth import StaffPrincipal, require_staff
from koonto.shared.web import get_container

REPORT_ROLES = ("funder", "coordinator", "admin")


def reporting_container(request: Request) -> ReportingContainer:
    return cast(ReportingContainer, get_container(request))


Deps = Annotated[ReportingContainer, Depends(reporting_container)]
ReportStaff = Annotated[StaffPrincipal, Depends(require_staff(*REPORT_ROLES))]
