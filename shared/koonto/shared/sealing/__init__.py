"""Crypto-shredding of personal data in the event stream: sealed per person, unreadable once the key is gone.

- `cipher`: the sealed form of one value (`enc:v1:<kid>:<base64>`, AES-GCM) and the `ERASED` marker;
- `keys`: the key store (`SubjectKeys`, in the owning service's database) and its client (`KeyStoreClient`);
- `rules`: which fields of which events are personal and whose, `Sealer` (the outbox relay) and `Opener` (the
  shared consumer);
- `api`: the key store's internal HTTP API, served by the owning service;
- `shredder`: destroys a person's keys once every consumer of their erasure request has handled it.
"""

from koonto.shared.sealing.cipher import ERASED, PREFIX, is_erased, is_sealed
from koonto.shared.sealing.keys import (
    Keys,
    KeyStoreClient,
    KeyStoreUnavailable,
    SubjectKeys,
    email_subject,
    idea_subject,
)
from koonto.shared.sealing.rules import RULES, Opener, Sealer

__all__ = [
    "ERASED",
    "PREFIX",
    "RULES",
    "KeyStoreClient",
    "KeyStoreUnavailable",
    "Keys",
    "Opener",
    "Sealer",
    "SubjectKeys",
    "email_subject",
    "idea_subject",
    "is_erased",
    "is_sealed",
]
