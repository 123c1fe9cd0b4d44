"""Every notify template in every language, fed hostile text: escaped HTML, one-line subjects, bounded SMS."""

from __future__ import annotations

from typing import Any

import pytest

from koonto.notify.render import Renderer
from koonto.notify.samples import sample
from tests.fuzz.hostile import HOSTILE

renderer = Renderer()
KINDS = renderer.kinds()


def poison(value: Any, text: str) -> Any:
    if isinstance(value, str) and not value.startswith("http"):
        return text
    if isinstance(value, dict):
        return {k: poison(v, text) for k, v in value.items()}
    if isinstance(value, list):
        return [poison(v, text) for v in value]
    return value


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("language", ["fi", "sv", "en"])
def test_hostile_text_in_every_template(kind: str, language: str) -> None:
    for text in HOSTILE:
        context = poison(sample(kind), text)
        if renderer.has(kind, language, "html") or renderer.has(kind, "fi", "html"):
            mail = renderer.email(kind, language, context)
            assert "<script>" not in mail.html and "<img src=x" not in mail.html
            assert "\r" not in mail.subject and "\n" not in mail.subject, repr(mail.subject)
        if renderer.has(kind, language, "sms") or renderer.has(kind, "fi", "sms"):
            sms = renderer.sms(kind, language, context)
            assert 1 <= sms.segments <= 3, (kind, text, sms.segments)
