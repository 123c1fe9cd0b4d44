"""Every user-facing text of intake has a Swedish and an English translation (Finnish is the source)."""

from __future__ import annotations

from pathlib import Path

import pytest

from koonto.intake import main
from koonto.shared.pages import SHARED_TEMPLATES
from tests.support.catalogues import translated, used_messages

PACKAGE = Path(main.__file__).parent


@pytest.mark.parametrize("language", ["sv", "en"])
def test_every_message_is_translated(language: str) -> None:
    used = used_messages(PACKAGE, also=((SHARED_TEMPLATES, "layout.html"),))
    assert len(used) > 200 and "Y-tunnus" in used and "Siirry pääsisältöön" in used  # extraction found them
    missing = sorted(used - translated(PACKAGE, language))
    assert not missing, f"untranslated in {language}: {missing}"
