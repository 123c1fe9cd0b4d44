"""Staff single sign-on: starting a sign-in at the organisation's identity provider and turning its answer into
a staff account (see `koonto.advisory.oidc` for the protocol).

Who gets in: a person whose e-mail the provider has verified, and then either the roles the provider's claims map
to (`KOONTO_OIDC_ROLES_CLAIM` + `KOONTO_OIDC_ROLE_MAP`, a value `<value>@<region>` for a role in one region: the
account is created or its roles follow the claims) or,
without a claim mapping, the active staff record of that e-mail (roles as an admin set them). Anybody else is
refused with a page that says why. A sign-in's `state` works once (`AdvisoryStore.use_once`), its `nonce` ties the
ID token to it, and PKCE ties the code to the browser that started it.
"""

from __future__ import annotations

import hmac
from datetime import timedelta
from typing import Any

from koonto.advisory.domain.errors import SignInRefused
from koonto.advisory.oidc import OidcClient, OidcError, Pending
from koonto.advisory.use_cases.common import Context
from koonto.advisory.use_cases.staff import StaffAccounts, normalise_email
from koonto.shared.auth import ROLES
from koonto.shared.logs import get_logger
from koonto.shared.mongo import Document

log = get_logger(__name__)

PENDING_FOR = timedelta(minutes=10)  # how long a started sign-in can come back from the provider
STALE = "Kirjautuminen vanheni tai se yritettiin käyttää uudelleen. Aloita kirjautuminen alusta."
FAILED = "Tunnistautuminen ei onnistunut. Yritä uudelleen; jos virhe toistuu, kerro siitä pääkäyttäjälle."
UNVERIFIED = "Tunnistuspalvelu ei vahvistanut sähköpostiosoitettasi, joten emme voi yhdistää sitä Koonnon tunnukseen."
UNKNOWN = "Tunnuksellasi ei ole pääsyä Koonnon henkilöstön työtilaan. Pyydä pääkäyttäjää lisäämään sinut."


class SingleSignOn:
    def __init__(self, context: Context, accounts: StaffAccounts, client: OidcClient | None) -> None:
        self.c = context
        self.accounts = accounts
        self.client = client

    @property
    def enabled(self) -> bool:
        return self.client is not None

    @property
    def redirect_uri(self) -> str:
        return f"{self.c.settings.advisory_public_url.rstrip('/')}/login/sso/callback"

    async def begin(self, next_path: str) -> tuple[str, Pending]:
        """Where to send the browser, and what to keep (in a signed cookie) until it comes back."""
        assert self.client is not None
        pending = Pending.new(next_path)
        try:
            return await self.client.authorization_url(pending, self.redirect_uri), pending
        except OidcError as exc:
            log.warning("single sign-on could not start", error=str(exc))
            raise SignInRefused(FAILED) from exc

    def roles_from(self, claims: dict[str, Any]) -> tuple[tuple[str, ...], dict[str, list[str]] | None] | None:
        """The roles the claims map to, and the roles per region when a value names its region; None when roles
        come from the staff record instead.

        A claim value `<value>@<region code>` (e.g. `koonto-neuvojat@pohjois-karjala`) gives the role
        `KOONTO_OIDC_ROLE_MAP[<value>]` in that region; a plain value gives it in the home region, and "admin"
        everywhere (admin is global). A region this deployment does not serve gives nothing."""
        settings = self.c.settings
        if not settings.oidc_roles_claim:
            return None
        value = claims.get(settings.oidc_roles_claim) or []
        values = value.split() if isinstance(value, str) else [str(v) for v in value] if isinstance(value, list) else []
        served, home = self.c.served, self.c.served[0]
        per_region: dict[str, set[str]] = {}
        admin = False
        for item in values:
            name, _, code = item.rpartition("@") if "@" in item else (item, "", home)
            role = settings.oidc_role_map.get(name)
            if role == "admin":
                admin = True
            elif role is not None and code in served:
                per_region.setdefault(code, set()).add(role)
        held = {code: [r for r in ROLES if r in roles] for code, roles in per_region.items()}
        roles = tuple(r for r in ROLES if (r == "admin" and admin) or any(r in h for h in held.values()))
        regional = any("@" in item for item in values)
        return roles, (held if regional else None)

    async def complete(self, code: str, state: str, pending: Pending | None) -> Document:
        """The staff account the provider's answer signs in, or SignInRefused with the reason for the page."""
        assert self.client is not None
        if pending is None or not state or not hmac.compare_digest(state.encode(), pending.state.encode()):
            raise SignInRefused(STALE)
        if not await self.c.store.use_once(f"oidc-state:{pending.state}", self.c.now() + PENDING_FOR):
            raise SignInRefused(STALE)  # the same answer of the provider a second time
        try:
            claims = await self.client.exchange(code, pending, self.redirect_uri)
        except OidcError as exc:
            log.warning("single sign-on refused", error=str(exc))
            raise SignInRefused(FAILED) from exc
        if not claims.get("email") or claims.get("email_verified") is not True:
            raise SignInRefused(UNVERIFIED)
        try:
            email = normalise_email(str(claims["email"]))
        except Exception as exc:
            raise SignInRefused(UNVERIFIED) from exc
        mapped = self.roles_from(claims)
        roles = mapped[0] if mapped is not None else None
        if mapped is None:
            staff = await self.c.store.staff_by_email(email)  # roles (and regions) as the staff record holds them
        elif mapped[0]:
            staff = await self.accounts.from_provider(email, str(claims.get("name") or ""), *mapped)
        else:
            staff = None
        if staff is None or not staff.get("active"):
            log.info("single sign-on of an unknown or inactive person refused", roles_claimed=roles)
            raise SignInRefused(UNKNOWN)
        return staff
