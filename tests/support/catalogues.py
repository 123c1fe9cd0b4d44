"""Which user-facing texts of a service have no Swedish or English translation (Finnish is the source)."""

from __future__ import annotations

from pathlib import Path

from babel.messages.extract import extract_from_dir, extract_from_file
from babel.messages.pofile import read_po

KEYWORDS = {"_": None, "gettext": None, "ngettext": (1, 2), "N_": None}


def used_messages(
    package: Path, *, also: tuple[tuple[Path, str], ...] = (), shared: tuple[Path, ...] = ()
) -> set[str]:
    """Every message the package's Python code and `web/templates` use (plus `also`: (folder, template glob), and
    `shared`: the Python files of `koonto.shared` whose texts the service translates)."""
    method_map = [("**.py", "python"), ("web/templates/**.html", "jinja2.ext:babel_extract")]
    options = {"web/templates/**.html": {"extensions": "jinja2.ext.i18n"}}
    found = set()
    sources = [(package, method_map, options)]
    sources += [(folder, [(glob, "jinja2.ext:babel_extract")], {}) for folder, glob in also]
    for folder, mapping, opts in sources:
        for _, _, message, _, _ in extract_from_dir(str(folder), mapping, opts, keywords=KEYWORDS):
            found.add(message[0] if isinstance(message, tuple) else message)
    for path in shared:
        for _, message, _, _ in extract_from_file("python", str(path), keywords=KEYWORDS):
            found.add(message[0] if isinstance(message, tuple) else message)
    return found


SHARED_LOCALE = Path(__file__).parents[2] / "shared" / "koonto" / "shared" / "locale"


def _translated_in(locale: Path, language: str) -> set[str]:
    with (locale / language / "LC_MESSAGES" / "messages.po").open("rb") as handle:
        catalog = read_po(handle, locale=language)
    return {m.id[0] if isinstance(m.id, tuple) else m.id for m in catalog if m.id and m.string
            and all(m.string if isinstance(m.string, tuple) else [m.string])}


def translated(package: Path, language: str) -> set[str]:
    """What the service's pages can show translated: its own catalogue and the shared one, which every service
    loads first (the layout's texts and the stage names are translated there, once)."""
    return _translated_in(package / "locale", language) | _translated_in(SHARED_LOCALE, language)
