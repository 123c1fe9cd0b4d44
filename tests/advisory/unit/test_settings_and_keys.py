"""Production refuses local defaults; signing keys load from PEM, rotate, and verify like other services do."""

from __future__ import annotations

import json
from pathlib import Path

import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from koonto.advisory.settings import DEMO_ADMIN_EMAIL, DEMO_ADMIN_PASSWORD, AdvisorySettings
from koonto.advisory.signing import load_signing_keys, private_pem, rotate_local_keys
from koonto.shared.auth import JwksCache, TokenVerifier

SECRET = "a-real-secret-for-production-use"


def pem() -> str:
    return private_pem(Ed25519PrivateKey.generate())


def production(**values: object) -> AdvisorySettings:
    return AdvisorySettings(mode="production", secret_key=SECRET, **values)  # type: ignore[arg-type]


def test_production_needs_a_signing_key_and_refuses_the_demo_admin() -> None:
    with pytest.raises(ValueError, match="KOONTO_STAFF_SIGNING_KEY"):
        production()
    with pytest.raises(ValueError, match="demo admin"):
        production(
            staff_signing_key=pem(), bootstrap_admin_email="a@b.fi", bootstrap_admin_password=DEMO_ADMIN_PASSWORD
        )
    with pytest.raises(ValueError, match="demo admin"):
        production(staff_signing_key=pem(), bootstrap_admin_email=DEMO_ADMIN_EMAIL, bootstrap_admin_password="x" * 20)
    with pytest.raises(ValueError, match="12 characters"):
        production(staff_signing_key=pem(), bootstrap_admin_email="a@b.fi", bootstrap_admin_password="short")
    with pytest.raises(ValueError, match="local and test"):
        production(staff_signing_key=pem(), fake_today="2026-12-04")
    ok = production(
        staff_signing_key=pem(), bootstrap_admin_email="Admin@Example.fi", bootstrap_admin_password="x" * 16
    )
    assert ok.bootstrap_admin() == ("admin@example.fi", "x" * 16)
    assert production(staff_signing_key=pem()).bootstrap_admin() is None  # no admin is made up


def test_local_mode_has_a_documented_demo_admin() -> None:
    assert AdvisorySettings(mode="local").bootstrap_admin() == (DEMO_ADMIN_EMAIL, DEMO_ADMIN_PASSWORD)


async def test_keys_from_pem_with_escaped_newlines_rotate_and_verify(tmp_path: Path) -> None:
    old, new = pem(), pem()
    one_line = old.replace("\n", "\\n")  # as a .env file carries it
    keys = load_signing_keys(signing_key_pem=one_line, previous_key_pem=None, data_dir=tmp_path, allow_generate=False)
    token = keys.issue(staff_id="s1", email="a@b.fi", name="A", roles=("advisor",), ttl_seconds=600)
    rotated = load_signing_keys(signing_key_pem=new, previous_key_pem=old, data_dir=tmp_path, allow_generate=False)
    jwks = rotated.jwks()
    assert [k["kid"] for k in jwks["keys"]] == [rotated.kid, keys.kid]
    verifier = TokenVerifier(JwksCache(json.dumps(jwks)))
    assert (await verifier.verify(token)).roles == ("advisor",)
    claims = jwt.decode(token, options={"verify_signature": False})
    assert {"iss", "aud", "sub", "email", "name", "roles", "iat", "exp", "jti"} <= set(claims)
    # a public key is enough for the previous one
    public = (
        serialization.load_pem_private_key(old.encode(), None)
        .public_key()
        .public_bytes(  # type: ignore[union-attr]
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        )
        .decode()
    )
    again = load_signing_keys(signing_key_pem=new, previous_key_pem=public, data_dir=tmp_path, allow_generate=False)
    assert again.jwks() == jwks
    after = load_signing_keys(signing_key_pem=new, previous_key_pem=None, data_dir=tmp_path, allow_generate=False)
    with pytest.raises(jwt.InvalidTokenError):
        await TokenVerifier(JwksCache(json.dumps(after.jwks()))).verify(token)
    with pytest.raises(ValueError, match="production"):
        load_signing_keys(signing_key_pem=None, previous_key_pem=None, data_dir=tmp_path, allow_generate=False)


def test_local_keys_are_generated_once_and_rotated_in_the_data_dir(tmp_path: Path) -> None:
    first = load_signing_keys(signing_key_pem=None, previous_key_pem=None, data_dir=tmp_path, allow_generate=True)
    assert (
        load_signing_keys(signing_key_pem=None, previous_key_pem=None, data_dir=tmp_path, allow_generate=True).kid
        == first.kid
    )
    rotate_local_keys(tmp_path)
    second = load_signing_keys(signing_key_pem=None, previous_key_pem=None, data_dir=tmp_path, allow_generate=True)
    assert second.kid != first.kid and [k["kid"] for k in second.jwks()["keys"]] == [second.kid, first.kid]
