"""A funded, closed project's public results: who may publish them, and what a publication may contain.

Pure rules (no store, no web): `publishable` says whether a case may show results at all, `read_results` turns
the staff form's values into the public content or names every wrong field at once. Everything here ends up on
the public showcase, so it is public content only (no contact person), addresses are https only, and control
characters are dropped; the showcase's templates escape the rest.

A photo is a link to an image the association already has online (an https address and its alt text), not an
upload: nothing to store, scan or resize, and a withdrawal takes it off the page at once.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from koonto.advisory.domain.errors import invalid_fields
from koonto.advisory.i18n import N_

LANGUAGES = ("fi", "sv", "en")  # Finnish is required; Swedish and English where the association gave them
SUMMARY_MAX = 5000
LINE_MAX = 200
OUTCOMES_MAX = 30
URL_MAX = 2000
# what the association agrees to; recorded with the publication (its version names the wording)
CONSENT_VERSION = "results-publication-v1"
CONSENT_STATEMENT = N_(
    "Yhdistys on antanut luvan julkaista nämä tulokset, kuvan ja linkin Koonnon julkisella esittelysivulla "
    "yhdistyksen nimen kanssa. Lupa on voimassa, kunnes yhdistys peruu sen."
)
_UNSAFE_IN_URL = re.compile(r"[\s<>\"'\\`]")


def publishable(stage: str, stages_reached: set[str]) -> bool:
    """Results belong to a project that was funded and has ended: the case is closed now and was funded on the way
    (a closed case always passed `funded`; checked rather than assumed, a backward step may have undone it)."""
    return stage == "closed" and "funded" in stages_reached


def stages_reached(case: Mapping[str, Any]) -> set[str]:
    """Every stage a stored case has been in: its stage now and the targets of its timeline's stage moves."""
    reached = {str(case.get("stage", ""))}
    for entry in (case.get("timeline") or {}).values():
        if entry.get("kind") == "stage":
            reached.add(str(entry.get("to_stage")))
    return reached


def clean_text(value: str | None) -> str:
    """The text without control characters (new lines kept), stripped."""
    text = (value or "").replace("\r\n", "\n")
    return "".join(ch for ch in text if ch == "\n" or unicodedata.category(ch) != "Cc").strip()


def https_url(value: str | None) -> str | None:
    """An address the public page may link to: https, a host, no credentials, nothing that could leave the
    attribute; None when empty. Raises ValueError with the reason."""
    url = (value or "").strip()
    if not url:
        return None
    if len(url) > URL_MAX or _UNSAFE_IN_URL.search(url) or any(unicodedata.category(ch) == "Cc" for ch in url):
        raise ValueError(N_("Osoitteessa on merkkejä, joita verkko-osoitteessa ei voi olla."))
    parts = urlsplit(url)
    if parts.scheme.lower() != "https":
        raise ValueError(N_("Anna osoite, joka alkaa https://."))
    if not parts.hostname or "." not in parts.hostname or parts.username or parts.password:
        raise ValueError(N_("Anna verkko-osoite muodossa https://esimerkki.fi/sivu."))
    return url


@dataclass(frozen=True)
class ResultsContent:
    """The public content: per language (`texts[lang]`: summary, outcomes, photo_alt, link_text) and the links."""

    texts: dict[str, dict[str, Any]]
    photo_url: str | None
    link_url: str | None


def _language(values: Mapping[str, str | None], lang: str, problems: dict[str, str]) -> dict[str, Any] | None:
    summary = clean_text(values.get(f"summary_{lang}"))
    lines = clean_text(values.get(f"outcomes_{lang}")).split("\n")
    outcomes = [line for line in (clean_text(x) for x in lines) if line]
    photo_alt = clean_text(values.get(f"photo_alt_{lang}")) or None
    link_text = clean_text(values.get(f"link_text_{lang}")) or None
    if lang != "fi" and not (summary or outcomes or photo_alt or link_text):
        return None  # not given in this language: the showcase shows the Finnish text
    if not summary:
        problems[f"summary_{lang}"] = N_("Kirjoita yhteenveto tuloksista.")
    elif len(summary) > SUMMARY_MAX:
        problems[f"summary_{lang}"] = N_("Yhteenveto on liian pitkä (enintään 5 000 merkkiä).")
    if len(outcomes) > OUTCOMES_MAX or any(len(line) > LINE_MAX for line in outcomes):
        problems[f"outcomes_{lang}"] = N_("Enintään 30 tulosta, kukin enintään 200 merkkiä omalla rivillään.")
    for name, value in (("photo_alt", photo_alt), ("link_text", link_text)):
        if value and len(value) > LINE_MAX:
            problems[f"{name}_{lang}"] = N_("Teksti on liian pitkä (enintään 200 merkkiä).")
    return {"summary": summary, "outcomes": outcomes, "photo_alt": photo_alt, "link_text": link_text}


def read_results(values: Mapping[str, Any]) -> ResultsContent:
    """The form's values (`summary_fi`, `outcomes_sv`, ..., `photo_url`, `link_url`, `consent`) as the public
    content; Invalid naming every wrong field at once."""
    problems: dict[str, str] = {}
    if not values.get("consent"):
        problems["consent"] = N_(
            "Merkitse, että yhdistys on antanut luvan julkaisuun. Ilman lupaa tuloksia ei julkaista."
        )
    texts = {lang: text for lang in LANGUAGES if (text := _language(values, lang, problems)) is not None}
    urls: dict[str, str | None] = {}
    for name in ("photo_url", "link_url"):
        try:
            urls[name] = https_url(values.get(name))
        except ValueError as exc:
            problems[name] = str(exc)
            urls[name] = None
    if urls["photo_url"] and not texts["fi"]["photo_alt"]:
        problems["photo_alt_fi"] = N_("Kerro, mitä kuvassa on (vaihtoehtoinen teksti niille, jotka eivät näe kuvaa).")
    if problems:
        raise invalid_fields(problems)
    return ResultsContent(texts=texts, photo_url=urls["photo_url"], link_url=urls["link_url"])
