"""What the showcase shows of a project's published results, in the reader's language.

Advisory publishes the results in Finnish and, where the association gave them, in Swedish and English
(`project-results-published`). A reader gets their language where it was given, else the Finnish text, marked
with its language (`lang`) so that a screen reader reads it as Finnish. Results show only while the case is
closed: a case sent back to implementation keeps them stored but off the page until it closes again. An
address is shown only when it is https (the contract holds producers to it; checked again here, where it meets a
browser).
"""

from __future__ import annotations

from typing import Any

from koonto.shared.mongo import Document

RESULTS_STAGE = "closed"


def _https(url: Any) -> str | None:
    return url if isinstance(url, str) and url.startswith("https://") else None


def shown_results(published: Document | None, stage: str | None, language: str) -> dict[str, Any] | None:
    """The results to show (`lang` of the text, summary, outcomes, photo, link), or None."""
    if not published or stage != RESULTS_STAGE or not published.get("fi"):
        return None
    finnish: Document = published["fi"]
    text: Document = published.get(language) or finnish
    lang = language if published.get(language) else "fi"
    photo_url, link_url = _https(published.get("photo_url")), _https(published.get("link_url"))
    alt, alt_lang = (text.get("photo_alt"), lang) if text.get("photo_alt") else (finnish.get("photo_alt"), "fi")
    link_text, link_lang = (text.get("link_text"), lang) if text.get("link_text") else (finnish.get("link_text"), "fi")
    return {
        "lang": lang,
        "summary": text.get("summary") or "",
        "outcomes": list(text.get("outcomes") or ()),
        "photo": {"url": photo_url, "alt": alt or "", "lang": alt_lang} if photo_url else None,
        "link": {"url": link_url, "text": link_text, "lang": link_lang} if link_url else None,
    }
