"""Keys and tokens: the JWKS that verifies staff tokens, the token endpoint, and who is signed in."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse
from fastapi.security import OAuth2PasswordRequestForm

from koonto.advisory.bootstrap import Deps
from koonto.advisory.web.deps import ApiStaff, client_address

router = APIRouter(tags=["advisory"])


@router.get("/.well-known/jwks.json", summary="Public keys that verify staff tokens", tags=["auth"])
async def jwks(advisory: Deps) -> JSONResponse:
    return JSONResponse(advisory.keys.jwks(), headers={"Cache-Control": "public, max-age=300"})


@router.post("/api/v1/token", summary="Staff bearer token (OAuth2 password form)", tags=["auth"])
async def token(
    request: Request, advisory: Deps, form: Annotated[OAuth2PasswordRequestForm, Depends()]
) -> Any:
    staff = await advisory.auth.authenticate(form.username, form.password, client_address(request))
    return {
        "access_token": advisory.auth.issue_token(staff),
        "token_type": "bearer",
        "expires_in": advisory.settings.staff_token_ttl_seconds,
    }


@router.get("/api/v1/me", summary="The signed-in staff member")
async def me(principal: ApiStaff) -> dict[str, Any]:
    return {
        "staff_id": principal.staff_id,
        "email": principal.email,
        "name": principal.name,
        "roles": list(principal.roles),
    }
