"""Every template renders in every language with sample data; autoescape, StrictUndefined, fallback."""

from __future__ import annotations

from pathlib import Path

import jinja2
import pytest

from koonto.notify.domain import sms
from koonto.notify.domain.kinds import KINDS
from koonto.notify.render import LANGUAGES, TEMPLATES, Renderer, TemplateMissing
from koonto.notify.samples import SAMPLES, sample

RENDERER = Renderer()


def test_every_kind_has_finnish_and_samples() -> None:
    assert set(SAMPLES) == set(KINDS)
    for kind in KINDS:
        folder = TEMPLATES / (KINDS[kind].template or kind)  # a kind may look like another (the newsletter's test)
        assert (folder / "fi.txt").exists() and (folder / "fi.html").exists()


@pytest.mark.parametrize("kind", sorted(KINDS))
@pytest.mark.parametrize("lang", LANGUAGES)
def test_each_template_renders(kind: str, lang: str) -> None:
    email = RENDERER.email(kind, lang, sample(kind))
    assert email.language == lang and not email.fallback
    assert email.subject and "\n" not in email.subject
    assert f'<html lang="{lang}">' in email.html
    if KINDS[kind].links:
        assert sample(kind)["unsubscribe_url"] in email.text and sample(kind)["preferences_url"] in email.html
    else:  # the erasure receipt: nothing left to unsubscribe from or to set
        assert "/unsubscribe/" not in email.text + email.html and "/preferences/" not in email.text + email.html
    if KINDS[kind].sms:
        text = RENDERER.sms(kind, lang, sample(kind))
        assert 1 <= text.segments <= sms.MAX_SEGMENTS and text.encoding == "GSM-7"
        assert text.segments == 1  # the aim with sample data


def test_html_is_autoescaped_and_text_is_not() -> None:
    context = {**sample("advisor-message"), "body": "<script>alert(1)</script> & muuta"}
    email = RENDERER.email("advisor-message", "fi", context)
    assert "<script>" not in email.html and "&lt;script&gt;" in email.html
    assert "<script>alert(1)</script> & muuta" in email.text


def test_missing_value_is_an_error_not_an_empty_string() -> None:
    context = sample("receipt")
    del context["reference"]
    with pytest.raises(jinja2.UndefinedError):
        RENDERER.email("receipt", "fi", context)


def test_long_advisor_message_is_shortened_to_three_segments_keeping_the_link() -> None:
    context = {**sample("advisor-message"), "body": "Tässä pitkä viesti. " * 100}
    text = RENDERER.sms("advisor-message", "fi", context)
    assert text.segments == 3 and text.text.endswith(context["sms_link"])


def test_language_without_template_falls_back_to_finnish_explicitly(tmp_path: Path) -> None:
    (tmp_path / "_footer").mkdir()
    for name in ("fi.txt", "fi.html"):
        (tmp_path / "_footer" / name).write_text("{{ unsubscribe_url }} {{ preferences_url }}")
    (tmp_path / "only-fi").mkdir()
    (tmp_path / "only-fi" / "fi.txt").write_text(
        "{% block subject %}Hei{% endblock %}{% block text %}Teksti{% endblock %}"
    )
    (tmp_path / "only-fi" / "fi.html").write_text("<p>Teksti</p>")
    renderer = Renderer(tmp_path)
    email = renderer.email("only-fi", "sv", {"unsubscribe_url": "u", "preferences_url": "p"})
    assert email.language == "fi" and email.fallback and email.subject == "Hei"
    (tmp_path / "no-fi").mkdir()
    (tmp_path / "no-fi" / "sv.txt").write_text("x")
    with pytest.raises(TemplateMissing):
        renderer.email("no-fi", "sv", {})
