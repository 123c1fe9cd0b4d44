"""Every user-facing text of reporting (showcase, dashboard, sign-in, report headings) has a Swedish and an
English translation (Finnish is the source)."""

from __future__ import annotations

from pathlib import Path

import pytest

from koonto.reporting import main
from tests.support.catalogues import translated, used_messages

PACKAGE = Path(main.__file__).parent


@pytest.mark.parametrize("language", ["sv", "en"])
def test_every_message_is_translated(language: str) -> None:
    used = used_messages(PACKAGE)
    assert "Rahoitetut hankkeet" in used and "Etusivu" in used  # extraction found the templates
    missing = sorted(used - translated(PACKAGE, language))
    assert not missing, f"untranslated in {language}: {missing}"
