"""The sealed form of one personal value: `enc:v1:<kid>:<base64 of nonce + AES-GCM ciphertext and tag>`.

The key id is the associated data, so a ciphertext cannot be moved under another key. A value that cannot be
opened (its key is destroyed, unknown or wrong) reads as `ERASED`, a marker every personal field of the contracts
accepts: undecryptable is erased.
"""

from __future__ import annotations

import base64
import os
import re

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

PREFIX = "enc:v1:"
ERASED = "enc:erased"
KEY_BYTES = 32
NONCE_BYTES = 12
KID = re.compile(r"^[A-Za-z0-9._-]{1,100}$")


def is_sealed(value: object) -> bool:
    return isinstance(value, str) and value.startswith(PREFIX)


def is_erased(value: object) -> bool:
    return value == ERASED


def new_key() -> bytes:
    return AESGCM.generate_key(bit_length=KEY_BYTES * 8)


def seal(kid: str, key: bytes, plain: str) -> str:
    if not KID.match(kid):
        raise ValueError(f"not a key id: {kid!r}")
    nonce = os.urandom(NONCE_BYTES)
    sealed = AESGCM(key).encrypt(nonce, plain.encode("utf-8"), kid.encode("ascii"))
    return f"{PREFIX}{kid}:{base64.b64encode(nonce + sealed).decode('ascii')}"


def kid_of(value: str) -> str | None:
    """The key id of a sealed value, or None when `value` is not one (or is malformed)."""
    if not value.startswith(PREFIX):
        return None
    kid, _, rest = value[len(PREFIX):].partition(":")
    return kid if KID.match(kid) and rest else None


def open_sealed(value: str, key: bytes | None) -> str:
    """The plain text of a sealed value, or ERASED when it cannot be opened with `key` (or there is none)."""
    kid = kid_of(value)
    if kid is None or key is None:
        return ERASED
    try:
        raw = base64.b64decode(value[len(PREFIX) + len(kid) + 1:], validate=True)
        return AESGCM(key).decrypt(raw[:NONCE_BYTES], raw[NONCE_BYTES:], kid.encode("ascii")).decode("utf-8")
    except (InvalidTag, ValueError):
        return ERASED
