"""Every text of the staff pages has a Swedish and an English translation."""

from __future__ import annotations

from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir, extract_from_file
from babel.messages.pofile import read_po

from tests.support.catalogues import SHARED_LOCALE

SERVICE = Path(__file__).parents[3] / "services" / "advisory"
PACKAGE = SERVICE / "koonto" / "advisory"
SHARED_STAGES = SERVICE.parents[1] / "shared" / "koonto" / "shared" / "stages.py"  # the stage names it translates
KEYWORDS = {
    "_": None,
    "N_": None,
    "Invalid": None,
    "Refused": None,
    "Forbidden": None,
    "NotFound": None,
    "Throttled": None,
    "BadCredentials": None,
    "AdvisoryError": None,
    "TransitionIncomplete": (2,),
    "gettext": (2,),
    "_t": (2,),
}


def source_messages() -> set[str]:
    method_map = [("**.py", "python"), ("web/templates/**.html", "jinja2")]
    options = {"web/templates/**.html": {"extensions": "jinja2.ext.i18n"}}
    found = {
        m[2] for m in extract_from_dir(str(PACKAGE), method_map, options, keywords=KEYWORDS) if isinstance(m[2], str)
    }
    found |= {m[1] for m in extract_from_file("python", str(SHARED_STAGES), keywords=KEYWORDS)}
    assert "Sparrauksessa" in found, "the stage names were not extracted"
    return found


@pytest.mark.parametrize("language", ["sv", "en"])
def test_catalogue_covers_every_message(language: str) -> None:
    with (PACKAGE / "locale" / language / "LC_MESSAGES" / "messages.po").open("rb") as handle:
        catalogue = read_po(handle, locale=language)
    translated = {m.id for m in catalogue if m.id and m.string}
    translated |= shared_translated(language)  # the stage names, translated once in the shared catalogue
    missing = sorted(source_messages() - translated)
    assert not missing, f"untranslated in {language}: {missing}"


def shared_translated(language: str) -> set[str]:
    with (SHARED_LOCALE / language / "LC_MESSAGES" / "messages.po").open("rb") as handle:
        return {m.id for m in read_po(handle, locale=language) if m.id and m.string}
