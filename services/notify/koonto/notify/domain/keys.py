"""Delivery keys: exactly one message per (cause event, recipient address, channel)."""

from __future__ import annotations

import hashlib


def normalise_address(channel: str, address: str) -> str:
    address = address.strip()
    return address.lower() if channel == "email" else address.replace(" ", "")


def address_hash(channel: str, address: str) -> str:
    """The key keeps a hash, not the address, so erasure can remove the address and keep the dedupe key."""
    return hashlib.sha256(f"{channel}:{normalise_address(channel, address)}".encode()).hexdigest()[:24]


def delivery_key(cause_event_id: str, channel: str, address: str) -> str:
    return f"{cause_event_id}:{channel}:{address_hash(channel, address)}"


def message_id(key: str, domain: str) -> str:
    """A Message-ID derived from the key: a copy that ever went out twice is recognisable downstream."""
    digest = hashlib.sha256(key.encode()).hexdigest()[:32]
    return f"<{digest}@{domain}>"
