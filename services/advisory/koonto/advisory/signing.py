"""Staff token signing: an Ed25519 key pair, its JWKS, and token issue/verification.

Production takes the private key from KOONTO_STAFF_SIGNING_KEY (PEM); local and test mode generate one into
`data_dir` once and reuse it across restarts (and across replicas sharing the folder: the first writer wins).
Rotation keeps the previous public key in the JWKS, so tokens signed before the rotation verify until they
expire. The key id is the RFC 7638 thumbprint of the public key, so every replica names a key the same way.
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import json
import os
import tempfile
import time
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from koonto.shared.auth import AUDIENCE, ISSUER, JwksCache, StaffPrincipal, TokenVerifier

KEY_FILE = "staff-signing-key.pem"
PREVIOUS_KEY_FILE = "staff-signing-key.previous.pem"


def _b64url(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def public_jwk(public: Ed25519PublicKey) -> dict[str, str]:
    x = _b64url(public.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw))
    thumbprint = hashlib.sha256(
        json.dumps({"crv": "Ed25519", "kty": "OKP", "x": x}, separators=(",", ":"), sort_keys=True).encode()
    ).digest()
    return {"kty": "OKP", "crv": "Ed25519", "x": x, "kid": _b64url(thumbprint)[:22], "use": "sig", "alg": "EdDSA"}


def _load_pem(pem: str) -> tuple[Ed25519PrivateKey | None, Ed25519PublicKey]:
    data = pem.strip().replace("\\n", "\n").encode()  # .env files carry PEM on one line with \n escapes
    if b"PRIVATE KEY" in data:
        private = serialization.load_pem_private_key(data, password=None)
        if not isinstance(private, Ed25519PrivateKey):
            raise ValueError("the staff signing key must be an Ed25519 key")
        return private, private.public_key()
    public = serialization.load_pem_public_key(data)
    if not isinstance(public, Ed25519PublicKey):
        raise ValueError("the previous staff key must be an Ed25519 key")
    return None, public


def private_pem(key: Ed25519PrivateKey) -> str:
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()


@dataclass(frozen=True)
class SigningKeys:
    current: Ed25519PrivateKey
    previous: tuple[Ed25519PublicKey, ...] = ()

    @property
    def kid(self) -> str:
        return public_jwk(self.current.public_key())["kid"]

    def jwks(self) -> dict[str, Any]:
        keys = [public_jwk(self.current.public_key())]
        for public in self.previous:
            jwk = public_jwk(public)
            if jwk["kid"] != keys[0]["kid"]:
                keys.append(jwk)
        return {"keys": keys}

    def issue(
        self,
        *,
        staff_id: str,
        email: str,
        name: str,
        roles: tuple[str, ...] | list[str],
        ttl_seconds: int,
        generation: int = 0,
        now: float | None = None,
        regions: dict[str, tuple[str, ...]] | None = None,
    ) -> str:
        issued = int(now if now is not None else time.time())
        claims = {
            "iss": ISSUER,
            "aud": AUDIENCE,
            "sub": staff_id,
            "email": email,
            "name": name,
            "roles": list(roles),
            "gen": generation,  # the account's token generation (koonto.shared.staff_directory)
            "iat": issued,
            "nbf": issued - 5,
            "exp": issued + ttl_seconds,
            "jti": uuid.uuid4().hex,
        }
        if regions is not None:  # the roles per region (koonto.shared.auth.StaffPrincipal.region_roles)
            claims["regions"] = {code: list(held) for code, held in regions.items()}
        return jwt.encode(claims, self.current, algorithm="EdDSA", headers={"kid": self.kid})

    def verifier(self) -> TokenVerifier:
        """Advisory verifies with its own keys directly (no HTTP request to itself)."""
        return TokenVerifier(JwksCache(json.dumps(self.jwks())))


def _write_once(path: Path, text: str) -> None:
    """Create `path` with `text` unless it exists (atomic: a concurrent writer's file wins)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".key-")
    try:
        with os.fdopen(fd, "w") as handle:
            handle.write(text)
        os.chmod(tmp, 0o600)
        with contextlib.suppress(FileExistsError):
            os.link(tmp, path)
    finally:
        os.unlink(tmp)


def local_key_dir(data_dir: Path) -> Path:
    return data_dir / "advisory"


def load_signing_keys(
    *, signing_key_pem: str | None, previous_key_pem: str | None, data_dir: Path, allow_generate: bool
) -> SigningKeys:
    previous: list[Ed25519PublicKey] = []
    if signing_key_pem:
        current, _ = _load_pem(signing_key_pem)
        if current is None:
            raise ValueError("KOONTO_STAFF_SIGNING_KEY must be a private key")
    elif allow_generate:
        folder = local_key_dir(data_dir)
        path = folder / KEY_FILE
        if not path.exists():
            _write_once(path, private_pem(Ed25519PrivateKey.generate()))
        current, _ = _load_pem(path.read_text())
        assert current is not None
        previous_path = folder / PREVIOUS_KEY_FILE
        if previous_path.exists():
            previous.append(_load_pem(previous_path.read_text())[1])
    else:
        raise ValueError("KOONTO_STAFF_SIGNING_KEY must be set in production")
    if previous_key_pem:
        previous.append(_load_pem(previous_key_pem)[1])
    return SigningKeys(current=current, previous=tuple(previous))


def rotate_local_keys(data_dir: Path) -> None:
    """Local mode: the current key becomes the previous one and a new key signs from the next start on."""
    folder = local_key_dir(data_dir)
    path = folder / KEY_FILE
    folder.mkdir(parents=True, exist_ok=True)
    if path.exists():
        os.replace(path, folder / PREVIOUS_KEY_FILE)
    _write_once(path, private_pem(Ed25519PrivateKey.generate()))


class Keyring:
    """The keys in use, held by the container: `use` after a rotation signs with the new key and verifies with
    both, and every verifier handed out (`verifier()`) follows at once."""

    def __init__(self, keys: SigningKeys) -> None:
        self.use(keys)

    def use(self, keys: SigningKeys) -> None:
        self.keys = keys
        self._verifier = keys.verifier()

    def verifier(self) -> TokenVerifier:
        return _KeyringVerifier(self)


class _KeyringVerifier(TokenVerifier):
    """Verifies with whatever keys the keyring holds now (no HTTP request to ourselves)."""

    def __init__(self, keyring: Keyring) -> None:
        super().__init__(keyring._verifier.jwks)
        self.keyring = keyring

    async def verify(self, token: str) -> StaffPrincipal:
        return await self.keyring._verifier.verify(token)
