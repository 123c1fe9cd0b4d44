"""Staff authentication every service verifies by itself, without calling advisory in a request path.

Advisory signs staff tokens (JWT, EdDSA) with its private key and publishes the public key as a JWKS at
`/.well-known/jwks.json`. Other services fetch that JWKS once and cache it (refreshed when an unknown key id
shows up, as after a key rotation). The same token serves API clients (`Authorization: Bearer ...`) and
browsers (the `koonto_staff` cookie, HttpOnly, SameSite=Lax), so one sign-in covers every staff page behind
the proxy. Forms carry a CSRF token derived from the session token, so any service can check it too.

A valid signature is not the whole check: `optional_staff` (and so `require_staff`) also asks the service's own
staff directory (`koonto.shared.staff_directory`, fed by `staff-updated`) whether the account is still active and
the token of its current generation, and takes the roles from there.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import time
from pathlib import Path
from typing import Annotated, Any

import httpx
import jwt
from fastapi import Depends, HTTPException, Request, status
from pydantic import BaseModel

ISSUER = "koonto-advisory"
AUDIENCE = "koonto-staff"
ALGORITHMS = ["EdDSA", "ES256"]
SESSION_COOKIE = "koonto_staff"
CSRF_FIELD = "csrf_token"
ROLES = ("admin", "coordinator", "advisor", "funder")


class StaffPrincipal(BaseModel):
    staff_id: str
    email: str
    name: str
    roles: tuple[str, ...]  # every role the account holds, in any region (what `has` checks)
    token: str
    generation: int = 0  # the account's token generation when the token was issued (claim `gen`)
    # the roles per region (claim `regions`); an account without any holds `roles` in the home region only
    # (filled in by `optional_staff`); "admin" is global: an admin works in every region
    region_roles: dict[str, tuple[str, ...]] = {}

    def has(self, *roles: str) -> bool:
        return "admin" in self.roles or any(r in self.roles for r in roles)

    @property
    def is_global(self) -> bool:
        return "admin" in self.roles

    def regions_with(self, *roles: str) -> frozenset[str] | None:
        """The regions in which the account holds one of `roles` (any role when none is named); None: every
        region (an admin). A use case filters what it reads by this: a list of cases, people or messages."""
        if self.is_global:
            return None
        return frozenset(
            code for code, held in self.region_roles.items() if held and (not roles or any(r in held for r in roles))
        )

    def may(self, region: str, *roles: str) -> bool:
        """Whether the account may act in `region` with one of `roles` (any role when none is named)."""
        allowed = self.regions_with(*roles)
        return allowed is None or region in allowed

    @property
    def csrf_token(self) -> str:
        return csrf_for(self.token)


def csrf_for(token: str) -> str:
    """A value an attacker on another origin cannot read or compute: a digest of the HttpOnly session token."""
    return hashlib.sha256(f"csrf:{token}".encode()).hexdigest()[:40]


class JwksCache:
    """JWKS from a URL (or a file/inline JSON), cached; refetched on an unknown `kid` at most every 10 s."""

    def __init__(self, url: str, *, refresh_floor_seconds: float = 10.0) -> None:
        self.url = url
        self.refresh_floor = refresh_floor_seconds
        self._keys: dict[str, Any] = {}
        self._fetched_at = 0.0
        self._lock = asyncio.Lock()

    async def _fetch(self) -> dict[str, Any]:
        if self.url.startswith("{"):
            return json.loads(self.url)  # type: ignore[no-any-return]
        if self.url.startswith("file:") or self.url.startswith("/"):
            return json.loads(Path(self.url.removeprefix("file:")).read_text())  # type: ignore[no-any-return]
        async with httpx.AsyncClient(timeout=3.0) as client:
            response = await client.get(self.url)
            response.raise_for_status()
            return response.json()  # type: ignore[no-any-return]

    async def key(self, kid: str | None) -> Any:
        if kid in self._keys:
            return self._keys[kid]
        async with self._lock:
            if (kid not in self._keys and time.monotonic() - self._fetched_at > self.refresh_floor) or not self._keys:
                jwks = await self._fetch()
                self._fetched_at = time.monotonic()
                keyset = jwt.PyJWKSet.from_dict(jwks)
                self._keys = {k.key_id or "": k for k in keyset.keys}
        if kid in self._keys:
            return self._keys[kid]
        if kid is None and len(self._keys) == 1:
            return next(iter(self._keys.values()))
        raise jwt.InvalidTokenError("unknown signing key")


class TokenVerifier:
    def __init__(self, jwks: JwksCache) -> None:
        self.jwks = jwks

    async def verify(self, token: str) -> StaffPrincipal:
        header = jwt.get_unverified_header(token)
        key = await self.jwks.key(header.get("kid"))
        claims = jwt.decode(
            token, key=key.key if hasattr(key, "key") else key, algorithms=ALGORITHMS, audience=AUDIENCE,
            issuer=ISSUER, options={"require": ["exp", "sub", "iat"]},
        )
        return StaffPrincipal(
            staff_id=claims["sub"], email=claims.get("email", ""), name=claims.get("name", ""),
            roles=tuple(claims.get("roles", ())), token=token, generation=_generation(claims),
            region_roles=_region_roles(claims.get("regions")),
        )


def _region_roles(value: Any) -> dict[str, tuple[str, ...]]:
    if value is None:
        return {}
    if not isinstance(value, dict) or not all(isinstance(v, list | tuple) for v in value.values()):
        raise jwt.InvalidTokenError("bad regions claim")
    return {str(code): tuple(str(role) for role in held) for code, held in value.items()}


def _generation(claims: dict[str, Any]) -> int:
    value = claims.get("gen", 0)  # tokens issued before generations existed have none: generation 0
    if not isinstance(value, int) or isinstance(value, bool) or value < 0:
        raise jwt.InvalidTokenError("bad token generation")
    return value


def _token_from(request: Request) -> str | None:
    header = request.headers.get("authorization", "")
    if header.lower().startswith("bearer "):
        return header[7:].strip() or None
    return request.cookies.get(SESSION_COOKIE)


async def optional_staff(request: Request) -> StaffPrincipal | None:
    token = _token_from(request)
    if not token:
        return None
    runtime = request.app.state.runtime
    verifier: TokenVerifier = runtime.token_verifier
    try:
        principal = await verifier.verify(token)
    except (jwt.InvalidTokenError, httpx.HTTPError, ValueError, KeyError):
        return None
    directory = getattr(runtime, "staff_directory", None)
    if directory is not None:
        # a valid signature is not enough: the account may have been deactivated, downgraded or had its password
        # changed since the token was issued (koonto.shared.staff_directory)
        admitted = await directory.admit(
            principal.staff_id, principal.generation, principal.roles, principal.region_roles
        )
        if admitted is None:
            return None
        principal = principal.model_copy(update={"roles": admitted[0], "region_roles": admitted[1]})
    home = getattr(getattr(runtime, "regions", None), "home", None) or getattr(runtime, "region", None)
    if not principal.region_roles and home is not None:  # an account of one region (or from before regions)
        principal = principal.model_copy(update={"region_roles": {home.code: principal.roles}})
    return principal


def require_staff(*roles: str) -> Any:
    """Dependency: 401 without a valid staff token, 403 without one of `roles` (admin passes every check)."""

    async def dependency(request: Request) -> StaffPrincipal:
        principal = await optional_staff(request)
        if principal is None:
            raise HTTPException(
                status.HTTP_401_UNAUTHORIZED, "Kirjaudu sisään. / Sign in required.",
                headers={"WWW-Authenticate": "Bearer"},
            )
        if roles and not principal.has(*roles):
            raise HTTPException(status.HTTP_403_FORBIDDEN, "Ei käyttöoikeutta. / Not permitted for your role.")
        return principal

    return dependency


async def check_csrf(request: Request, principal: StaffPrincipal) -> None:
    """For cookie-authenticated form posts: the form's token must match the session's."""
    if request.headers.get("authorization", "").lower().startswith("bearer "):
        return  # bearer clients are not exposed to CSRF (no ambient credentials)
    form = await request.form()
    sent = str(form.get(CSRF_FIELD, ""))
    if not hmac.compare_digest(sent.encode(), principal.csrf_token.encode()):  # bytes: any text a client sends
        raise HTTPException(
            status.HTTP_403_FORBIDDEN, "Lomakkeen tarkiste puuttuu tai on vanhentunut. Lataa sivu uudelleen."
        )


StaffDep = Annotated[StaffPrincipal, Depends(require_staff())]
OptionalStaffDep = Annotated[StaffPrincipal | None, Depends(optional_staff)]
