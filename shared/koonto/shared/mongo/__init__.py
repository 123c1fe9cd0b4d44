"""The one MongoDB adapter every service store is built on.

Every quirk of the three stores the code must run on (MongoDB 7+, FerretDB v1, nx-27017) is handled here and
nowhere else, so a service store is written against plain MongoDB semantics within the common subset:

- `Store`/`Collection`: writes to one document are serialised inside the process (FerretDB v1 does not apply
  concurrent updates of one document atomically), `find_one_and_update` drops the outbox fields itself
  (FerretDB v1 cannot project there);
- `revive`, `epoch_ms`, `instant`: times that compare and read back the same on every store (nx-27017 turns a
  datetime written by `$set` into text);
- `ensure_indexes`: creates only the missing indexes (FerretDB v1 drops the connection on a repeated unique index);
- `Leases`: a named lease in three plain steps (nx-27017 mis-applies `$or` next to `_id`).
"""

from koonto.shared.mongo.client import make_client, ping, wait_for_store
from koonto.shared.mongo.collection import Collection, Store
from koonto.shared.mongo.indexes import IndexSpec, ensure_indexes
from koonto.shared.mongo.leases import Leases
from koonto.shared.mongo.locks import DocumentLocks
from koonto.shared.mongo.tombstones import Tombstones
from koonto.shared.mongo.values import Document, epoch_ms, instant, parse_instant, revive, revive_fields

__all__ = [
    "Collection",
    "Document",
    "DocumentLocks",
    "IndexSpec",
    "Leases",
    "Store",
    "Tombstones",
    "ensure_indexes",
    "epoch_ms",
    "instant",
    "make_client",
    "parse_instant",
    "ping",
    "revive",
    "revive_fields",
    "wait_for_store",
]
