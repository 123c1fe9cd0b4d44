"""Every text of notify's pages (the public preference and unsubscribe pages, the staff log) has a Swedish and an
English translation (Finnish is the source). The messages themselves are templates per language."""

from __future__ import annotations

from pathlib import Path

import pytest

from koonto.notify import main
from tests.support.catalogues import translated, used_messages

PACKAGE = Path(main.__file__).parent


@pytest.mark.parametrize("language", ["sv", "en"])
def test_every_page_text_is_translated(language: str) -> None:
    used = used_messages(PACKAGE)
    assert "Viestiasetukset" in used and "Peru tilaus" in used  # extraction found the templates
    missing = sorted(used - translated(PACKAGE, language))
    assert not missing, f"untranslated in {language}: {missing}"
