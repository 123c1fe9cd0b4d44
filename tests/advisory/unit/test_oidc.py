"""koonto.advisory.oidc: the ID token checks (the provider's signature, iss, aud, azp, exp, nonce)."""

from __future__ import annotations

import json
import time
from typing import Any

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa

from koonto.advisory.oidc import OidcClient, OidcError, Pending

ISSUER = "https://tunnistus.example.fi"
KEY = rsa.generate_private_key(public_exponent=65537, key_size=2048)
OTHER_KEY = rsa.generate_private_key(public_exponent=65537, key_size=2048)


def client() -> OidcClient:
    oidc = OidcClient(ISSUER, "koonto-advisory", "secret", "openid email")
    public = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(KEY.public_key()))
    oidc._config = {"issuer": ISSUER, "jwks_uri": f"{ISSUER}/jwks"}
    oidc._config_at = time.monotonic()
    oidc._keys = jwt.PyJWKSet.from_dict({"keys": [{**public, "kid": "k1", "use": "sig", "alg": "RS256"}]})
    return oidc


def token(key: Any = KEY, **claims: Any) -> str:
    now = int(time.time())
    body = {"iss": ISSUER, "aud": "koonto-advisory", "sub": "niina", "iat": now, "exp": now + 300, "nonce": "n1",
            "email": "niina@koonto.example", "email_verified": True, **claims}
    return jwt.encode({k: v for k, v in body.items() if v is not None}, key, algorithm="RS256", headers={"kid": "k1"})


async def test_a_token_of_the_provider_for_this_client_and_sign_in_verifies() -> None:
    claims = await client().verify(token(), "n1")
    assert claims["email"] == "niina@koonto.example"


@pytest.mark.parametrize("claims", [
    {"aud": "another-app"},  # issued to another client
    {"aud": ["another-app", "koonto-advisory"]},  # two audiences, authorised party not us
    {"iss": "https://muu.example.fi"},
    {"exp": int(time.time()) - 3600},
    {"nonce": "replayed"},
    {"nonce": None},
])
async def test_tokens_that_are_not_for_this_sign_in_are_refused(claims: dict[str, Any]) -> None:
    with pytest.raises(OidcError):
        await client().verify(token(**claims), "n1")


async def test_a_token_signed_with_a_key_the_provider_does_not_publish_is_refused() -> None:
    oidc = client()

    async def jwks(url: str) -> dict[str, Any]:  # the provider, asked again for its keys, still has only k1
        return {"keys": [{**json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(KEY.public_key())), "kid": "k1"}]}

    oidc._get = jwks  # type: ignore[method-assign]
    with pytest.raises(OidcError):
        await oidc.verify(token(OTHER_KEY), "n1")


def test_pkce_challenge_is_the_s256_of_the_verifier() -> None:
    pending = Pending("s", "n", "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk", "/")
    assert pending.challenge == "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"  # RFC 7636, appendix B
