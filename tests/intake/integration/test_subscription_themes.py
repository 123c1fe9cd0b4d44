"""The subscription form's optional themes (the region file's), on real NATS and a real store: the choice is kept
when the form comes back with an error, carried in subscription-requested and -confirmed, and named again on the
confirmation page; an unknown theme code is refused in the person's language (form and API), nothing lost; no
themes chosen is "every theme"."""

from __future__ import annotations

from koonto.shared.contracts.intake import SubscriptionConfirmed, SubscriptionRequested
from tests.intake.helpers import events_of, hidden, post_form
from tests.intake.integration.conftest import PUBLIC
from tests.support.polling import eventually

RULE_FI = "Jos et valitse teemaa, saat kaikki uutiskirjeet."


async def test_chosen_themes_come_back_on_the_form_travel_in_the_events_and_show_on_the_confirmation_page(
    intake, clean_stream
) -> None:
    runtime, http = intake
    form = await http.get("/subscribe")
    assert form.status_code == 200 and RULE_FI in form.text
    assert 'name="themes" value="youth"' in form.text and "Lapset ja nuoret" in form.text
    swedish = await http.get("/subscribe", headers={"Accept-Language": "sv"})
    assert "Om du inte väljer något tema får du alla nyhetsbrev." in swedish.text and "Barn och unga" in swedish.text
    english = await http.get("/subscribe?lang=en")
    assert "If you choose no theme, you get every newsletter." in english.text

    token = hidden(form.text, "form_token")
    answers = [("form_token", token), ("topics", "newsletter"), ("themes", "youth"), ("themes", "sport"),
               ("language", "fi"), ("consents.privacy_notice", "yes")]
    missing_email = await post_form(http, "/subscribe?lang=fi", answers)  # the form again: the themes still ticked
    assert missing_email.status_code == 422 and 'href="#email"' in missing_email.text
    for code in ("youth", "sport"):
        assert f'value="{code}" checked' in missing_email.text
    assert 'value="culture" checked' not in missing_email.text

    ok = await post_form(http, "/subscribe?lang=fi", [*answers, ("email", "teemat@example.fi")])
    assert ok.status_code == 200 and "Tarkista sähköpostisi" in ok.text
    [(_, requested)] = await eventually(lambda: events_of(clean_stream, SubscriptionRequested),
                                        until=lambda e: len(e) == 1)
    assert requested.themes == ("youth", "sport")
    stored = await runtime.db["subscriptions"].find_one({})
    assert stored["themes"] == ["youth", "sport"]

    confirm_path = requested.confirm_url.removeprefix(PUBLIC)
    page = await http.get(f"{confirm_path}?lang=fi")
    assert "<dt>Teemat</dt><dd>Lapset ja nuoret, Liikunta ja urheilu</dd>" in page.text
    assert "Barn och unga, Motion och idrott" in (await http.get(f"{confirm_path}?lang=sv")).text
    done = await post_form(http, f"{confirm_path}?lang=fi", {"csrf_token": hidden(page.text, "csrf_token")})
    assert done.status_code == 200
    [(_, confirmed)] = await eventually(lambda: events_of(clean_stream, SubscriptionConfirmed),
                                        until=lambda e: len(e) == 1)
    assert confirmed.themes == ("youth", "sport") and confirmed.topic == "newsletter"


async def test_no_theme_is_every_theme_and_an_unknown_theme_is_refused_in_the_persons_language(
    intake, clean_stream
) -> None:
    runtime, http = intake
    asked = await http.post("/api/v1/subscriptions", json={
        "email": "kaikki@example.fi", "topics": ["newsletter"], "consents": {"privacy_notice": True},
    })
    assert asked.status_code == 202
    [(_, requested)] = await eventually(lambda: events_of(clean_stream, SubscriptionRequested),
                                        until=lambda e: len(e) == 1)
    assert requested.themes == ()
    page = await http.get(requested.confirm_url.removeprefix(PUBLIC) + "?lang=fi")
    assert "<dt>Teemat</dt><dd>Kaikki teemat</dd>" in page.text

    refused = await http.post("/api/v1/subscriptions?lang=sv", json={
        "email": "vaara@example.fi", "topics": ["newsletter"], "themes": ["youth", "astrology"],
        "consents": {"privacy_notice": True},
    })
    assert refused.status_code == 422 and refused.json()["errors"] == {"themes": "Välj teman bland alternativen."}

    form = await http.get("/subscribe?lang=en")
    answers = [("form_token", hidden(form.text, "form_token")), ("email", "vaara@example.fi"),
               ("topics", "newsletter"), ("themes", "youth"), ("themes", "astrology"),
               ("consents.privacy_notice", "yes")]
    again = await post_form(http, "/subscribe?lang=en", answers)
    assert again.status_code == 422 and "Choose themes from the options given." in again.text
    assert 'href="#themes"' in again.text and 'value="vaara@example.fi"' in again.text  # nothing typed is lost
    assert 'value="youth" checked' in again.text
    assert await runtime.db["subscriptions"].count_documents({"email": "vaara@example.fi"}) == 0
