"""The status page behind the signed link: the stage from advisory's events, amendments and erasure."""

from __future__ import annotations

import time
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

from koonto.intake.links import Links
from koonto.shared.contracts.advisory import StageChanged
from koonto.shared.contracts.intake import ErasureRequested, IdeaAmended
from tests.intake.helpers import events_of, hidden, idea_body, post_form, publish
from tests.intake.integration.conftest import PUBLIC
from tests.support.polling import eventually, stays


def stage_changed(idea_id: str, to_stage: str, *, at: datetime, from_stage: str = "idea") -> StageChanged:
    return StageChanged(
        case_id=f"case-{idea_id}", idea_id=idea_id, reference="KOO-2026-0001", from_stage=from_stage,  # type: ignore[arg-type]
        to_stage=to_stage, changed_by="staff-1", changed_at=at,  # type: ignore[arg-type]
    )


async def submit(http: Any, **overrides: Any) -> tuple[str, str]:
    response = await http.post("/api/v1/ideas", json=idea_body(**overrides))
    assert response.status_code == 201
    path = response.json()["status_url"].removeprefix(PUBLIC)
    return path, path.rsplit("/", 1)[1]


async def test_status_page_shows_the_stage_in_plain_language_and_follows_stage_changed(intake, clean_stream) -> None:
    runtime, http = intake
    path, _ = await submit(http)
    idea = await runtime.db["ideas"].find_one({})
    first = await http.get(path)
    assert first.status_code == 200
    assert first.headers["Referrer-Policy"] == "same-origin" and "noindex" in first.headers["X-Robots-Tag"]
    assert "Idea vastaanotettu" in first.text and "Kylätalon kohtaamispaikka" in first.text
    assert idea["reference"] in first.text

    now = datetime.now(UTC)
    await publish(clean_stream, stage_changed(idea["_id"], "sparring", at=now))
    page = await eventually(lambda: http.get(path), until=lambda r: 'stage-label">Sparrauksessa<' in r.text,
                            what="new stage", timeout=5)
    assert 'aria-current="step">Sparrauksessa' in page.text
    swedish = await http.get(f"{path}?lang=sv")
    assert 'stage-label">Sparras<' in swedish.text
    english = await http.get(f"{path}?lang=en")  # (the sv choice is remembered in a cookie, so ask again)
    assert 'stage-label">Being developed with an advisor<' in english.text

    # an older event arriving late does not move the stage back
    http.cookies.clear()
    await publish(clean_stream, stage_changed(idea["_id"], "withdrawn", at=now - timedelta(hours=1)))
    await publish(clean_stream, stage_changed(idea["_id"], "preparing", at=now + timedelta(minutes=1),
                                              from_stage="sparring"))
    await eventually(lambda: http.get(path), until=lambda r: 'stage-label">Hakemus valmisteilla<' in r.text)
    await stays(lambda: http.get(path), until=lambda r: 'stage-label">Hakemus valmisteilla<' in r.text, duration=0.5)


async def test_tampered_expired_and_unknown_links_are_refused(intake) -> None:
    runtime, http = intake
    path, token = await submit(http)
    assert (await http.get(path)).status_code == 200
    tampered = await http.get(f"/status/{token[:-2]}xx")
    assert tampered.status_code == 403 and "Linkki ei kelpaa" in tampered.text
    other_idea = token.replace(token.split(".")[0], "ImFub3RoZXIi")  # payload swapped, signature kept
    assert (await http.get(f"/status/{other_idea}")).status_code == 403

    settings = runtime.settings
    past = Links.from_settings(settings, clock=lambda: time.time() - (settings.status_link_max_age_days + 1) * 86400)
    idea = await runtime.db["ideas"].find_one({})
    expired = await http.get(past.status_url(idea["_id"]).removeprefix(PUBLIC))
    assert expired.status_code == 410 and "vanhentunut" in expired.text
    # a link signed by the service for an idea it does not hold
    unknown = Links.from_settings(settings).status_url(str(uuid.uuid4())).removeprefix(PUBLIC)
    assert (await http.get(unknown)).status_code == 404
    # a status link is no subscription link and the other way round
    assert (await http.get(f"/subscriptions/unsubscribe/{token}")).status_code == 403


async def test_amending_contact_and_description_publishes_idea_amended(intake, clean_stream) -> None:
    _runtime, http = intake
    path, _ = await submit(http)
    page = await http.get(path)
    csrf = hidden(page.text, "csrf_token")
    answers = {
        "csrf_token": csrf, "contact.name": "Maija Meikäläinen", "contact.email": "maija@example.fi",
        "contact.phone": "050 987 6543", "contact.language": "fi", "contact.channel": "sms",
        "description": "Avataan kylätalo kaikenikäisten kohtaamispaikaksi. Lisäksi kerhoiltoja.",
    }
    # without the token bound to the link: refused, nothing changes
    forged = await post_form(http, f"{path}/amend", {**answers, "csrf_token": "x"})
    assert forged.status_code == 403
    bad = await post_form(http, f"{path}/amend", {**answers, "contact.phone": "12"})
    assert bad.status_code == 422 and 'href="#contact-phone"' in bad.text and 'value="12"' in bad.text

    done = await post_form(http, f"{path}/amend", answers)
    assert done.status_code == 303 and done.headers["location"].endswith("?done=amended")
    shown = await http.get(done.headers["location"])
    assert "Lisäksi kerhoiltoja." in shown.text and "Muutokset tallennettu" in shown.text
    events = await eventually(lambda: events_of(clean_stream, IdeaAmended), until=lambda e: len(e) == 1)
    amended = events[0][1]
    assert amended.changed_fields == ("contact.channel", "contact.phone", "description")
    assert amended.contact is not None and amended.contact.phone == "+358509876543"
    assert amended.description and amended.description.endswith("kerhoiltoja.")
    # sending the same again changes nothing and publishes nothing
    again = await post_form(http, f"{path}/amend", answers)
    assert again.headers["location"].endswith("?done=unchanged")
    await stays(lambda: events_of(clean_stream, IdeaAmended), until=lambda e: len(e) == 1, duration=0.5)


async def test_erasure_request_publishes_once_and_removes_intakes_own_copies(intake, clean_stream) -> None:
    runtime, http = intake
    path, _ = await submit(http)
    await submit(http, title="Toinen idea samalta henkilöltä")
    await submit(http, title="Toisen henkilön idea", contact__email="pekka@example.fi", contact__phone=None)
    page = await http.get(f"{path}/erase")
    csrf = hidden(page.text, "csrf_token")
    assert (await post_form(http, f"{path}/erase", {"csrf_token": "nope"})).status_code == 403

    done = await post_form(http, f"{path}/erase", {"csrf_token": csrf})
    assert done.status_code == 303
    events = await eventually(lambda: events_of(clean_stream, ErasureRequested), until=lambda e: len(e) == 1)
    erasure = events[0][1]
    assert erasure.email == "maija@example.fi" and erasure.phone == "+358401234567" and len(erasure.idea_ids) == 2

    async def maijas_contacts() -> int:
        return await runtime.db["ideas"].count_documents({"contact.email": "maija@example.fi"})

    await eventually(maijas_contacts, until=lambda n: n == 0, what="every copy of the person erased")
    assert await runtime.db["ideas"].count_documents({"contact.email": "pekka@example.fi"}) == 1
    shown = await http.get(path)
    assert shown.status_code == 200 and "Henkilötietonne on poistettu" in shown.text
    assert "maija@example.fi" not in shown.text and "Kylätalon kohtaamispaikka" in shown.text
    # asking again does nothing more
    await post_form(http, f"{path}/erase", {"csrf_token": csrf})
    await stays(lambda: events_of(clean_stream, ErasureRequested), until=lambda e: len(e) == 1, duration=0.5)


async def test_the_status_page_withdraws_and_gives_the_partner_consent(intake, clean_stream) -> None:
    _runtime, http = intake
    path, _ = await submit(http, consents__partner_introductions=True)
    page = await http.get(path)
    assert 'name="partner_introductions" value="yes" checked' in page.text
    answers = {
        "csrf_token": hidden(page.text, "csrf_token"), "contact.name": "Maija Meikäläinen",
        "contact.email": "maija@example.fi", "contact.phone": "040 123 4567", "contact.language": "fi",
        "contact.channel": "email", "description": "Avataan kylätalo kaikenikäisten kohtaamispaikaksi.",
    }
    withdrawn = await post_form(http, f"{path}/amend", answers)  # the box left unticked
    assert withdrawn.headers["location"].endswith("?done=amended")
    assert 'name="partner_introductions" value="yes" checked' not in (await http.get(path)).text
    given = await post_form(http, f"{path}/amend", {**answers, "partner_introductions": "yes"})
    assert given.headers["location"].endswith("?done=amended")
    events = await eventually(lambda: events_of(clean_stream, IdeaAmended), until=lambda e: len(e) == 2)
    assert [(e.changed_fields, e.partner_introductions, e.contact) for _, e in events] == [
        (("consents.partner_introductions",), False, None), (("consents.partner_introductions",), True, None),
    ]
