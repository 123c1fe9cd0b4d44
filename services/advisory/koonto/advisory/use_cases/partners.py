"""Partner suggestions and introductions: which consenting associations have ideas like this case's, clusters of
them across the region, and an introduction of two of them to each other (one `associations-introduced`, which
notify turns into one mail to each).

Each replica keeps the suggestion index in memory (`PartnerIndex`): loaded from the stored profiles on the first
page that needs it, then brought up to date before every read: one read of the profiles' revision counter, and
only when it moved, the profiles changed since the last catch-up: found in the change log (`partner_changes`,
one small document per profile write, kept `CHANGES_KEPT_MS`; a query on its `updated_ms` looking back
`LOOKBACK_MS`, so that a write by a replica whose clock is a little behind is not missed), then read by `_id`.
On the CI store, which reads a whole collection for such a query, a page at 10,000 cases took 13 s while it ran
on the profiles themselves on every page (docs/benchmarks.md).

A case's profile is written whenever its case is opened, amended or erased, from the case as it then is: writing
it again changes nothing, so a redelivered event repairs a profile a crash left behind.
"""

from __future__ import annotations

import asyncio

from koonto.advisory.domain.actor import Actor
from koonto.advisory.domain.errors import Invalid, NotFound, Refused
from koonto.advisory.domain.partners.clusters import Cluster, clusters
from koonto.advisory.domain.partners.profiles import from_document, listed, profile_of, to_document
from koonto.advisory.domain.partners.ranking import PartnerIndex, Suggestion
from koonto.advisory.use_cases.common import Context, new_id
from koonto.shared.contracts.advisory import AssociationsIntroduced, IntroducedParty
from koonto.shared.mongo import Document, epoch_ms

LOOKBACK_MS = 60_000
CHANGES_KEPT_MS = 3_600_000  # the change log's horizon; an index last caught up before it loads everything again
NOT_CONSENTED = "Yhdistys ei ole antanut suostumusta esittelyyn."


class Partners:
    def __init__(self, context: Context) -> None:
        self.c = context
        self.index = PartnerIndex()
        self._seen: dict[str, int] = {}  # case id -> updated_ms of the profile the index holds (or dropped)
        self._synced_ms: int | None = None
        self._revision: int | None = None  # the profiles' revision counter at the last catch-up
        self._sync_lock = asyncio.Lock()
        self._clusters: tuple[int, list[Cluster]] | None = None

    # -- keeping the profiles --------------------------------------------------------------------------------
    async def refresh(self, case_id: str) -> None:
        """Write the case's profile (or its tombstone) from the case as it is now; the local index follows."""
        case = await self.c.store.case(case_id)
        if case is None:
            return
        profile = profile_of(case, self.c.region_named(self.c.store.scope.region_of(case)))
        doc = await self.c.store.partners.put_profile(case_id, to_document(profile) if profile else None)
        self._apply(doc)

    def _apply(self, doc: Document) -> None:
        if self._seen.get(doc["_id"]) == doc["updated_ms"]:
            return
        self._seen[doc["_id"]] = doc["updated_ms"]
        if doc.get("listed"):
            self.index.put(from_document(doc, self.c.served[0]))
        else:
            self.index.drop(doc["_id"])

    async def sync(self) -> PartnerIndex:
        """The index, brought up to date with the profiles every replica wrote."""
        async with self._sync_lock:
            revision = await self.c.store.partners.revision()  # before the query: a later write moves it again
            if self._synced_ms is not None and revision == self._revision:
                return self.index
            started = epoch_ms()
            records = self.c.store.partners
            if self._synced_ms is None or self._synced_ms - LOOKBACK_MS < started - CHANGES_KEPT_MS:
                docs = await records.listed_profiles()
                if self._synced_ms is not None:  # a reload: what left the list since is in no listed profile
                    self.index, self._seen, self._clusters = PartnerIndex(), {}, None
            else:
                docs = await records.profiles_changed_since(self._synced_ms - LOOKBACK_MS)
                await records.forget_changes_before(started - CHANGES_KEPT_MS)
            for doc in docs:
                self._apply(doc)
            self._synced_ms, self._revision = started, revision
        return self.index

    # -- reads ---------------------------------------------------------------------------------------------
    async def suggestions(self, case: Document, limit: int = 10) -> list[Suggestion]:
        """Consenting associations with similar ideas; none for a case that has not consented itself."""
        if not listed(case):
            return []
        index = await self.sync()
        return index.similar(case["_id"], limit=limit)

    async def clusters(self) -> list[Cluster]:
        """Clusters across the region, computed again only when a profile changed."""
        index = await self.sync()
        if self._clusters is None or self._clusters[0] != index.revision:
            self._clusters = (index.revision, clusters(index))
        # a cluster links ideas of one region only (`PartnerIndex.similar`): the staff member's regions' are shown
        return [c for c in self._clusters[1] if self.c.store.scope.allows(c.members[0].region)]

    async def introductions(self, case_id: str) -> list[Document]:
        return await self.c.store.partners.introductions_of(case_id)

    # -- introducing -------------------------------------------------------------------------------------
    async def introduce(self, actor: Actor, case_id: str, other_case_id: str) -> Document:
        """Introduce the two associations to each other; once per pair, only while both consent."""
        other_id = other_case_id
        if case_id == other_id:
            raise Invalid("Valitse toinen yhdistys.", "partners")
        case, other = await self.c.case(case_id), await self.c.case(other_id)
        if self.c.store.scope.region_of(case) != self.c.store.scope.region_of(other):
            raise NotFound("Tapausta ei löydy.")  # associations are introduced within their region only
        for one in (case, other):
            if not listed(one):
                raise Refused(NOT_CONSENTED, "partners")
        index = await self.sync()
        asked = index.profiles.get(case_id)
        partner = index.profiles.get(other_id)
        themes = tuple(sorted(asked.themes & partner.themes)) if asked and partner else ()
        words = index.shared_words(asked, partner) if asked and partner else ()
        now = self.c.now()
        data = AssociationsIntroduced(
            introduction_id=new_id("introduction"), introduced_at=now, introduced_by=actor.staff_id,
            advisor_name=actor.name, parties=(_party(case), _party(other)), shared_themes=themes, shared_words=words,
        )
        pair = sorted((case_id, other_id))
        event = self.c.event(data, subject=data.introduction_id)
        doc: Document = {
            "_id": "|".join(pair), "case_ids": pair, "introduction_id": data.introduction_id, "introduced_at": now,
            "introduced_ms": epoch_ms(now), "by": actor.staff_id, "by_name": actor.name,
            "references": {case_id: case["reference"], other_id: other["reference"]},
            "organisations": {case_id: case["organisation"]["name"], other_id: other["organisation"]["name"]},
        }
        if not await self.c.store.partners.record_introduction(doc, event):
            raise Refused("Nämä yhdistykset on jo esitelty toisilleen.", "partners")
        self.c.written(event)
        return doc


def _party(case: Document) -> IntroducedParty:
    return IntroducedParty(
        case_id=case["_id"], idea_id=case["idea_id"], reference=case["reference"],
        organisation_name=case["organisation"]["name"], title=case["title"],
        municipality=case["organisation"].get("municipality") or "other",
    )
