"""Request dependencies of the advisory web layer: the signed-in staff member and their roles.

`ApiWork` / `PageWork` and friends are the principals a route asks for: the API answers 401/403 in JSON, the
pages raise `PageAuthError` (the login form or a 'not permitted' page, see `pages/auth.py`).
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Depends, HTTPException, Request, status

from koonto.advisory.bootstrap import container_of
from koonto.advisory.domain.regions import region_roles_of
from koonto.advisory.scope import limit_to
from koonto.advisory.store import CaseFilter
from koonto.shared import web
from koonto.shared.auth import StaffPrincipal, optional_staff

WORK = ("advisor", "coordinator")  # admin passes every role check
ADMIN = ("admin",)


class PageAuthError(Exception):
    """Raised by page dependencies; rendered as the login page (401) or a 'not permitted' page (403)."""

    def __init__(self, status_code: int) -> None:
        self.status_code = status_code


def client_address(request: Request) -> str:
    """The client behind the trusted proxies (KOONTO_TRUSTED_PROXY_HOPS), not the proxy's own address."""
    return web.client_address(request, container_of(request).settings)


async def _current(request: Request) -> StaffPrincipal | None:
    principal = await optional_staff(request)
    if principal is None:
        return None
    # a token outlives a deactivation or a role change: advisory checks the account itself on every request
    staff = await container_of(request).views.active_staff(principal.staff_id)
    if staff is None or principal.generation < int(staff.get("token_generation", 0)):
        return None  # deactivated, or the token predates a role or password change
    request.state.staff_doc = staff
    held = region_roles_of(staff, container_of(request).infra.regions.home.code)
    return principal.model_copy(update={"roles": tuple(staff["roles"]), "name": staff["name"], "region_roles": held})


def _scope(principal: StaffPrincipal, roles: tuple[str, ...]) -> None:
    """What the route's reads may see: the regions where the account holds one of the roles the route asks for
    (scope.py; an admin: every region)."""
    limit_to(principal.regions_with(*roles))


def api_staff(*roles: str) -> Any:
    """401 without a valid token of an active account, 403 without one of `roles`."""

    async def dependency(request: Request) -> StaffPrincipal:
        principal = await _current(request)
        if principal is None:
            raise HTTPException(
                status.HTTP_401_UNAUTHORIZED,
                "Kirjaudu sisään. / Sign in required.",
                headers={"WWW-Authenticate": "Bearer"},
            )
        if roles and not principal.has(*roles):
            raise HTTPException(status.HTTP_403_FORBIDDEN, "Ei käyttöoikeutta. / Not permitted for your role.")
        _scope(principal, roles)
        return principal

    return Depends(dependency)


def page_staff(*roles: str) -> Any:
    async def dependency(request: Request) -> StaffPrincipal:
        principal = await _current(request)
        if principal is None:
            raise PageAuthError(401)
        if roles and not principal.has(*roles):
            raise PageAuthError(403)
        _scope(principal, roles)
        request.state.principal = principal
        return principal

    return Depends(dependency)


ApiStaff = Annotated[StaffPrincipal, api_staff()]
ApiWork = Annotated[StaffPrincipal, api_staff(*WORK)]
ApiAdmin = Annotated[StaffPrincipal, api_staff(*ADMIN)]
PageStaff = Annotated[StaffPrincipal, page_staff()]
PageWork = Annotated[StaffPrincipal, page_staff(*WORK)]
PageAdmin = Annotated[StaffPrincipal, page_staff(*ADMIN)]
PageCoordinator = Annotated[StaffPrincipal, page_staff("coordinator")]


def case_search(
    municipality: str | None = None,
    advisor: str | None = None,
    call: str | None = None,
    theme: str | None = None,
    q: str | None = None,
) -> CaseFilter:
    """The search the board and the cases API share, from the query string (an empty value: no condition)."""
    return CaseFilter(
        municipality=municipality or None, advisor_id=advisor or None, call_id=call or None, theme=theme or None,
        text=q or None,
    )


CaseSearch = Annotated[CaseFilter, Depends(case_search)]
