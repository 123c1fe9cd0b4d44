"""domain/showcase.py: which published results the showcase shows, in which language."""

from __future__ import annotations

from koonto.reporting.domain.showcase import shown_results

PUBLISHED = {
    "fi": {"summary": "Kylätalo avattiin.", "outcomes": ["12 tapahtumaa"], "photo_alt": "Kylätalo", "link_text": None},
    "sv": {"summary": "Byhuset öppnades.", "outcomes": [], "photo_alt": None, "link_text": "Rapporten"},
    "en": None,
    "photo_url": "https://kyla.example.fi/kuva.jpg",
    "link_url": "https://kyla.example.fi/raportti",
}


def test_the_readers_language_where_given_with_the_finnish_alt_text_marked() -> None:
    shown = shown_results(PUBLISHED, "closed", "sv")
    assert shown is not None and shown["lang"] == "sv" and shown["summary"] == "Byhuset öppnades."
    assert shown["photo"] == {"url": "https://kyla.example.fi/kuva.jpg", "alt": "Kylätalo", "lang": "fi"}
    assert shown["link"] == {"url": "https://kyla.example.fi/raportti", "text": "Rapporten", "lang": "sv"}


def test_finnish_where_the_language_was_not_given() -> None:
    shown = shown_results(PUBLISHED, "closed", "en")
    assert shown is not None and shown["lang"] == "fi" and shown["outcomes"] == ["12 tapahtumaa"]


def test_nothing_unless_closed_and_only_https_addresses() -> None:
    assert shown_results(PUBLISHED, "implementation", "fi") is None  # sent back from closed: off the page
    assert shown_results(None, "closed", "fi") is None
    tampered = {**PUBLISHED, "photo_url": "javascript:alert(1)", "link_url": "http://kyla.example.fi/"}
    shown = shown_results(tampered, "closed", "fi")
    assert shown is not None and shown["photo"] is None and shown["link"] is None
