"""Staff tokens for tests of services other than advisory: a test signing key and its JWKS.

Services verify tokens against `KOONTO_STAFF_JWKS_URL`, which may also be inline JSON: tests pass
`staff_jwks_url=TEST_JWKS_JSON` and call `bearer(...)`. Advisory's own tests use advisory's real signer.
"""

from __future__ import annotations

import json
import time
import uuid

import jwt
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from jwt.algorithms import OKPAlgorithm

from koonto.shared.auth import AUDIENCE, ISSUER

_KEY = Ed25519PrivateKey.generate()
KID = "test-key-1"
_PUBLIC_JWK = json.loads(OKPAlgorithm.to_jwk(_KEY.public_key()))
TEST_JWKS = {"keys": [{**_PUBLIC_JWK, "kid": KID, "use": "sig", "alg": "EdDSA"}]}
TEST_JWKS_JSON = json.dumps(TEST_JWKS)


def mint(*roles: str, staff_id: str | None = None, email: str = "neuvoja@example.fi", name: str = "Testi Neuvoja",
         ttl: int = 3600, regions: dict[str, list[str]] | None = None) -> str:
    """`regions`: the roles per region (claim `regions`); without it the roles hold in the home region."""
    now = int(time.time())
    claims: dict[str, object] = {
        "iss": ISSUER, "aud": AUDIENCE, "sub": staff_id or f"staff-{uuid.uuid4().hex[:8]}", "email": email,
        "name": name, "roles": list(roles), "iat": now, "exp": now + ttl, "jti": uuid.uuid4().hex,
    }
    if regions is not None:
        claims["regions"] = regions
    return jwt.encode(claims, _KEY, algorithm="EdDSA", headers={"kid": KID})


def bearer(*roles: str, **kw: object) -> dict[str, str]:
    return {"Authorization": f"Bearer {mint(*roles, **kw)}"}  # type: ignore[arg-type]
