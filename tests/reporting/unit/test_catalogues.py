"""Every user-facing text of reporting (showcase, dashboard, sign-in, report headings) has a Swedish and an
English translation (Finnish is the source)."""

from __future__ import annotations

from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

from koonto.reporting import main

PACKAGE = Path(main.__file__).parent


def used_messages() -> set[str]:
    method_map = [("**.py", "python"), ("web/templates/**.html", "jinja2.ext:babel_extract")]
    options = {"web/templates/**.html": {"extensions": "jinja2.ext.i18n"}}
    keywords = {"_": None, "gettext": None, "ngettext": (1, 2), "N_": None}
    found = set()
    for _, _, message, _, _ in extract_from_dir(str(PACKAGE), method_map, options, keywords=keywords):
        found.add(message[0] if isinstance(message, tuple) else message)
    return found


@pytest.mark.parametrize("language", ["sv", "en"])
def test_every_message_is_translated(language: str) -> None:
    with (PACKAGE / "locale" / language / "LC_MESSAGES" / "messages.po").open("rb") as handle:
        catalog = read_po(handle, locale=language)
    translated = {m.id[0] if isinstance(m.id, tuple) else m.id for m in catalog if m.id and m.string
                  and all(m.string if isinstance(m.string, tuple) else [m.string])}
    used = used_messages()
    assert "Rahoitetut hankkeet" in used and "Etusivu" in used  # extraction found the templates
    missing = sorted(used - translated)
    assert not missing, f"untranslated in {language}: {missing}"
