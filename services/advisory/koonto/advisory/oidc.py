"""Staff single sign-on through the organisation's OpenID Connect provider: the client side of the authorization
code flow with PKCE (RFC 7636, S256), `state` and `nonce`, and the ID token verified against the provider's JWKS.

The provider is found by discovery (`<issuer>/.well-known/openid-configuration`, cached); the code is exchanged at
its token endpoint with the client secret (HTTP Basic, `client_secret_basic`) and the PKCE verifier; the ID token's
signature is checked with the provider's published keys (fetched again once when a token names an unknown key id),
and its `iss`, `aud`, `exp`, `iat` and `nonce` are checked here. httpx and PyJWT (already the platform's HTTP client
and JWT library) do the work, so no second OAuth stack ships in the image.
"""

from __future__ import annotations

import base64
import hashlib
import secrets
import time
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

import httpx
import jwt

from koonto.shared.logs import get_logger

log = get_logger(__name__)

SIGNING_ALGORITHMS = ["RS256", "RS384", "RS512", "PS256", "ES256", "ES384", "EdDSA"]
DISCOVERY_TTL_SECONDS = 3600


class OidcError(Exception):
    """The provider's answer cannot be trusted or used (a refused code, a bad token, an unreachable provider)."""


@dataclass(frozen=True)
class Pending:
    """What the browser's sign-in started with, kept in a signed cookie until the provider sends it back."""

    state: str
    nonce: str
    verifier: str
    next_path: str

    @classmethod
    def new(cls, next_path: str) -> Pending:
        return cls(secrets.token_urlsafe(24), secrets.token_urlsafe(24), secrets.token_urlsafe(48), next_path)

    @property
    def challenge(self) -> str:
        digest = hashlib.sha256(self.verifier.encode()).digest()
        return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


class OidcClient:
    def __init__(self, issuer: str, client_id: str, client_secret: str, scopes: str, timeout: float = 10.0) -> None:
        self.issuer = issuer.rstrip("/")
        self.client_id = client_id
        self.client_secret = client_secret
        self.scopes = scopes
        self.timeout = timeout
        self._config: dict[str, Any] | None = None
        self._config_at = 0.0
        self._keys: jwt.PyJWKSet | None = None

    async def _get(self, url: str) -> dict[str, Any]:
        try:
            async with httpx.AsyncClient(timeout=self.timeout) as http:
                response = await http.get(url)
                response.raise_for_status()
                body: dict[str, Any] = response.json()
                return body
        except (httpx.HTTPError, ValueError) as exc:
            raise OidcError(f"the identity provider did not answer at {url}: {exc!r}") from exc

    async def configuration(self) -> dict[str, Any]:
        if self._config is None or time.monotonic() - self._config_at > DISCOVERY_TTL_SECONDS:
            config = await self._get(f"{self.issuer}/.well-known/openid-configuration")
            if str(config.get("issuer", "")).rstrip("/") != self.issuer:
                raise OidcError("the discovery document names another issuer")
            self._config, self._config_at = config, time.monotonic()
        return self._config

    async def authorization_url(self, pending: Pending, redirect_uri: str) -> str:
        config = await self.configuration()
        query = {
            "response_type": "code", "client_id": self.client_id, "redirect_uri": redirect_uri,
            "scope": self.scopes, "state": pending.state, "nonce": pending.nonce,
            "code_challenge": pending.challenge, "code_challenge_method": "S256",
        }
        return f"{config['authorization_endpoint']}?{urlencode(query)}"

    async def exchange(self, code: str, pending: Pending, redirect_uri: str) -> dict[str, Any]:
        """The verified claims of the ID token the code is exchanged for."""
        config = await self.configuration()
        form = {"grant_type": "authorization_code", "code": code, "redirect_uri": redirect_uri,
                "code_verifier": pending.verifier}
        try:
            async with httpx.AsyncClient(timeout=self.timeout) as http:
                response = await http.post(config["token_endpoint"], data=form,
                                           auth=(self.client_id, self.client_secret))
        except httpx.HTTPError as exc:
            raise OidcError(f"the token endpoint did not answer: {exc!r}") from exc
        if response.status_code != 200:
            raise OidcError(f"the provider refused the code ({response.status_code}): {response.text[:200]}")
        id_token = response.json().get("id_token")
        if not isinstance(id_token, str):
            raise OidcError("the provider's answer has no ID token")
        return await self.verify(id_token, pending.nonce)

    async def _key(self, kid: str | None) -> Any:
        for attempt in range(2):
            if self._keys is None or attempt:
                config = await self.configuration()
                self._keys = jwt.PyJWKSet.from_dict(await self._get(config["jwks_uri"]))
            for key in self._keys.keys:
                if kid is None or key.key_id == kid:
                    return key.key
        raise OidcError("the ID token is signed with a key the provider does not publish")

    async def verify(self, id_token: str, nonce: str) -> dict[str, Any]:
        try:
            header = jwt.get_unverified_header(id_token)
            key = await self._key(header.get("kid"))
            claims: dict[str, Any] = jwt.decode(
                id_token, key, algorithms=SIGNING_ALGORITHMS, audience=self.client_id, issuer=self.issuer,
                options={"require": ["iss", "aud", "exp", "iat", "sub"]}, leeway=60,
            )
        except jwt.PyJWTError as exc:
            raise OidcError(f"the ID token does not verify: {exc}") from exc
        if not secrets.compare_digest(str(claims.get("nonce", "")).encode(), nonce.encode()):
            raise OidcError("the ID token's nonce is not the one this sign-in sent (a replayed token)")
        aud = claims.get("aud")
        if isinstance(aud, list) and len(aud) > 1 and claims.get("azp") != self.client_id:
            raise OidcError("the ID token was issued to another client (azp)")
        return claims
