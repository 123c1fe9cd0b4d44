"""The safe Markdown subset of newsletters (koonto.shared.markdown): what it renders, and that nothing a writer
types becomes a tag, an attribute or a script."""

from __future__ import annotations

from html.parser import HTMLParser

import pytest

from koonto.shared.markdown import safe_address, to_html, to_text

pytestmark = pytest.mark.unit


def test_the_subset_renders_paragraphs_headings_lists_emphasis_and_links() -> None:
    html = to_html(
        "# Otsikko\n\nHei **kaikki** ja *tervetuloa*.\nToinen rivi.\n\n- yksi\n- kaksi\n\n"
        "1. eka\n2. toka\n\n[Haku](https://koonto.example.fi/haku?a=1&b=2) ja "
        "[posti](mailto:info@koonto.example.fi)"
    )
    assert "<h2>Otsikko</h2>" in html  # the page or mail has its own h1
    assert "<p>Hei <strong>kaikki</strong> ja <em>tervetuloa</em>.<br>\nToinen rivi.</p>" in html
    assert "<ul><li>yksi</li><li>kaksi</li></ul>" in html and "<ol><li>eka</li><li>toka</li></ol>" in html
    assert '<a href="https://koonto.example.fi/haku?a=1&amp;b=2">Haku</a>' in html
    assert '<a href="mailto:info@koonto.example.fi">posti</a>' in html


@pytest.mark.parametrize(
    "hostile",
    [
        "<script>alert(1)</script>",
        '<img src=x onerror="alert(1)">',
        "<a href='javascript:alert(1)'>x</a>",
        "[klikkaa](javascript:alert(1))",
        "[klikkaa](JaVaScRiPt:alert`1`)",
        "[klikkaa](jav&#x61;script:alert)",
        "[klikkaa](data:text/html;base64,PHNjcmlwdD4=)",
        "[klikkaa](vbscript:msgbox)",
        '[klikkaa](https://x.example/"onmouseover="alert(1))',
        "[klikkaa](//evil.example/x)",
        "**<b>lihava</b>**",
        "# <iframe src=https://evil.example>",
    ],
)
def test_hostile_input_stays_text(hostile: str) -> None:
    """What a browser would parse out of the result: only the subset's own tags, and no attribute but an href to
    http(s) or mailto."""
    tags = Tags()
    tags.feed(str(to_html(hostile)))
    assert tags.names <= ALLOWED, tags.names
    for name, value in tags.attributes:
        assert name == "href" and (value or "").startswith(("https://", "http://", "mailto:")), (name, value)


ALLOWED = {"p", "br", "h2", "h3", "h4", "ul", "ol", "li", "strong", "em", "a"}


class Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.names: set[str] = set()
        self.attributes: list[tuple[str, str | None]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.names.add(tag)
        self.attributes.extend(attrs)


def test_only_http_https_and_mailto_addresses_become_links() -> None:
    assert safe_address("https://koonto.example.fi") == "https://koonto.example.fi"
    assert safe_address("mailto:a@b.fi") == "mailto:a@b.fi"
    for refused in (
        "javascript:alert(1)",
        "ftp://x.example",
        "/relative",
        "https://",
        "mailto:nobody",
        "https://x.example/\u0000",
        "java\tscript:x",
    ):
        assert safe_address(refused) is None


def test_plain_text_keeps_the_words_and_writes_links_with_their_address() -> None:
    text = to_text("## Uutiset\n\nHei **kaikki**! [Haku](https://koonto.example.fi) [x](javascript:alert(1))")
    assert text == "Uutiset\n\nHei kaikki! Haku (https://koonto.example.fi) [x](javascript:alert(1))"
