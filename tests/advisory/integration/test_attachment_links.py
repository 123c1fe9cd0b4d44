"""The case page lists the idea's attachments from the metadata of idea-submitted and links each to intake's
staff download (the bytes stay in intake); an erasure takes the list off the case."""

from __future__ import annotations

from datetime import UTC, datetime

import httpx

from koonto.advisory.bootstrap import AdvisoryContainer
from koonto.advisory.domain.case import case_id_for
from koonto.shared.contracts.intake import Attachment, ErasureRequested
from tests.advisory.integration.conftest import Stream
from tests.advisory.integration.test_pages import sign_in
from tests.support.polling import eventually
from tests.support.samples import envelope, idea_submitted

BUDGET = Attachment(
    attachment_id="att-1",
    name="talousarvio 2027.xlsx",
    type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    size=12_345,
    sha256="a" * 64,
)


async def test_the_case_page_links_each_attachment_to_intakes_staff_download(
    advisory: AdvisoryContainer, stream: Stream, http: httpx.AsyncClient
) -> None:
    idea = idea_submitted(attachments=(BUDGET,))
    await stream.publish(envelope(idea))
    await stream.wait_for("case-opened", 1, settle=0)
    await sign_in(http)
    page = await http.get(f"/cases/{case_id_for(idea.idea_id)}")
    intake = str(advisory.settings.intake_public_url).rstrip("/")
    assert f'href="{intake}/attachments/{idea.idea_id}/att-1"' in page.text
    assert "talousarvio 2027.xlsx" in page.text and "(XLSX, 13 kt)" in page.text

    await stream.publish(
        envelope(
            ErasureRequested(
                request_id="er-1",
                requested_at=datetime.now(UTC),
                email=str(idea.contact.email),
                idea_ids=(idea.idea_id,),
            )
        )
    )
    await eventually(
        lambda: http.get(f"/cases/{case_id_for(idea.idea_id)}"),
        until=lambda r: "talousarvio" not in r.text and "Ei liitteitä." in r.text,
        what="list erased",
    )


async def test_an_idea_without_attachments_says_so(
    advisory: AdvisoryContainer, stream: Stream, http: httpx.AsyncClient
) -> None:
    idea = idea_submitted()
    await stream.publish(envelope(idea))
    await stream.wait_for("case-opened", 1, settle=0)
    await sign_in(http)
    page = await http.get(f"/cases/{case_id_for(idea.idea_id)}?lang=en")
    assert 'id="attachments">Attachments<' in page.text and "No attachments." in page.text
