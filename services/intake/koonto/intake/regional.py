"""Which region's items the request or event under way may see (several regions on one deployment).

Every item intake keeps carries the region it belongs to (`region`: the region of the request that made it, or of
the advisory/notify event it copies). A public page shows only the current region's items, and a signed link of
one region opened on another region's site finds nothing (404): the link carries an id, the region is the item's.
A document written before regions has no `region`: it is the home region's. A deployment of one region asks
nothing of the store (the queries stay as they were).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from koonto.shared.mongo import Document
from koonto.shared.region import Regions


@dataclass(frozen=True)
class RegionScope:
    regions: Regions | None = None

    @property
    def several(self) -> bool:
        return self.regions is not None and self.regions.several

    def query(self) -> Document:
        """The filter of the current region's documents ({} on a single-region deployment)."""
        if self.regions is None or not self.regions.several:
            return {}
        code = self.regions.current().code
        return {"region": {"$in": [code, None]}} if code == self.regions.home.code else {"region": code}

    def holds(self, doc: Any) -> bool:
        """Whether `doc` (a stored item) belongs to the current region."""
        if doc is None or self.regions is None or not self.regions.several:
            return doc is not None
        return (doc.get("region") or self.regions.home.code) == self.regions.current().code

    def only(self, doc: Document | None) -> Document | None:
        return doc if self.holds(doc) else None
