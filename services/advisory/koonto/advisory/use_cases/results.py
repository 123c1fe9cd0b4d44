"""A funded, closed project's results on the public showcase: published by staff with the association's consent
(one `project-results-published`, which reporting shows), withdrawn by staff or by an erasure of the contact
person (one `project-results-withdrawn`). The case keeps the published content and the consent record (who
recorded it, when, the wording); the events carry only the public content.

A publication replaces the one before it (reporting keeps the newest by time); a withdrawal of a case with no
published results emits nothing.
"""

from __future__ import annotations

from typing import Any

from koonto.advisory.domain.actor import SYSTEM, Actor
from koonto.advisory.domain.errors import Refused
from koonto.advisory.domain.results import (
    CONSENT_STATEMENT,
    CONSENT_VERSION,
    ResultsContent,
    publishable,
    read_results,
    stages_reached,
)
from koonto.advisory.use_cases.common import Context
from koonto.shared.contracts import Envelope
from koonto.shared.contracts.advisory import ProjectResultsPublished, ProjectResultsWithdrawn, ResultsText
from koonto.shared.mongo import Document


def _published(case: Document, actor: Actor, content: ResultsContent, now: Any) -> ProjectResultsPublished:
    texts = {lang: ResultsText(**text) for lang, text in content.texts.items()}
    return ProjectResultsPublished(
        case_id=case["_id"],
        idea_id=case["idea_id"],
        reference=case["reference"],
        published_at=now,
        published_by=actor.staff_id,
        consent_recorded_at=now,
        photo_url=content.photo_url,
        link_url=content.link_url,
        **texts,
    )


class ProjectResults:
    def __init__(self, context: Context) -> None:
        self.c = context

    async def publish(self, actor: Actor, case_id: str, **values: Any) -> Document:
        """Publish (or replace) the case's results; refused unless the case is funded and closed, and
        without the consent."""
        case = await self.c.case(case_id)
        if not publishable(str(case.get("stage")), stages_reached(case)):
            raise Refused("Tulokset voi julkaista vain hankkeelle, joka on saanut rahoituksen ja päättynyt.", "results")
        content = read_results(values)
        now = self.c.now()
        data = _published(case, actor, content, now)
        consent = {
            "version": CONSENT_VERSION,
            "statement": CONSENT_STATEMENT,
            "recorded_at": now,
            "recorded_by": actor.staff_id,
            "by_name": actor.name,
        }
        entry = self.c.entry("results-published", actor)
        changes: Document = {
            "results": {
                **content.texts,
                "photo_url": content.photo_url,
                "link_url": content.link_url,
                "published_at": now,
                "by_name": actor.name,
                "consent": consent,
            },
            f"timeline.{entry['id']}": entry,
        }
        return await self.c.change_case(case, changes, self.c.event(data, subject=case_id))

    async def withdraw(self, actor: Actor, case_id: str) -> Document:
        """Take the case's results off the showcase (the consent ends with them)."""
        case = await self.c.case(case_id)
        if not case.get("results"):
            return case  # nothing published (or a second click): nothing to withdraw
        changes, event = self.withdrawal(case, actor, "staff")
        return await self.c.change_case(case, changes, event)

    def withdrawal(self, case: Document, actor: Actor, cause: str) -> tuple[Document, Envelope]:
        """The changes and the event that take `case`'s results off the showcase (also part of an erasure)."""
        now = self.c.now()
        data = ProjectResultsWithdrawn(
            case_id=case["_id"],
            idea_id=case["idea_id"],
            reference=case["reference"],
            withdrawn_at=now,
            withdrawn_by=actor.staff_id,
            cause=cause,  # type: ignore[arg-type]
        )
        entry = self.c.entry("results-withdrawn", actor if cause == "staff" else SYSTEM)
        changes: Document = {"results": None, "results_withdrawn_at": now, f"timeline.{entry['id']}": entry}
        return changes, self.c.event(data, subject=case["_id"])
