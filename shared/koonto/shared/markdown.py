"""The safe Markdown subset of newsletters: what staff write in a plain textarea (no JavaScript), rendered the same
way in notify's mails and previews and in intake's public archive.

The subset: paragraphs (a blank line between), `#`/`##`/`###` headings, `- ` or `* ` lists, `1. ` numbered lists,
`**bold**`, `*italic*` and `[text](address)` links whose address is http, https or mailto. Nothing else is markup.

Why not a full Markdown library: Markdown lets raw HTML through by design, and a library configured to refuse it
is safe only as long as every option stays right. Here the text is escaped FIRST (`html.escape`, quotes too), and
only then are the few patterns above turned into the tags this module writes itself, so no character of the input
can become a tag, an attribute or a script: `<script>` stays visible text, `[x](javascript:...)` stays text, and
an address can never leave its `href="..."`. The plain-text rendering (the mail's text part) keeps the words and
writes a link as "text (address)".
"""

from __future__ import annotations

import html
import re
from urllib.parse import urlsplit

from markupsafe import Markup

SCHEMES = ("http", "https", "mailto")
_LINK = re.compile(r"\[([^\[\]\n]{1,300})\]\(([^()\s]{1,2000})\)")
_BOLD = re.compile(r"\*\*(?=\S)(.+?)(?<=\S)\*\*")
_ITALIC = re.compile(r"(?<![\*\w])\*(?=\S)([^*\n]+?)(?<=\S)\*(?![\*\w])")
_HEADING = re.compile(r"^(#{1,3})\s+(.+)$")
_BULLET = re.compile(r"^[-*]\s+(.+)$")
_NUMBERED = re.compile(r"^\d{1,3}[.)]\s+(.+)$")


def safe_address(address: str) -> str | None:
    """The address when it is http(s) with a host, or mailto with an address; None for anything else
    (javascript:, data:, vbscript:, a relative path, a scheme hidden behind entities or control characters)."""
    unescaped = html.unescape(address).strip()
    if any(ord(c) < 33 or c in "\"'<>`\\" for c in unescaped):
        return None
    try:
        parts = urlsplit(unescaped)
    except ValueError:
        return None
    scheme = parts.scheme.lower()
    if scheme not in SCHEMES:
        return None
    if scheme == "mailto":
        return unescaped if "@" in parts.path else None
    return unescaped if parts.netloc else None


def _inline(escaped: str) -> str:
    """Bold, italic and links on text that is already escaped."""

    def link(match: re.Match[str]) -> str:
        text, address = match.group(1), match.group(2)
        safe = safe_address(address)
        if safe is None:
            return match.group(0)  # stays as the text it was (escaped)
        return f'<a href="{html.escape(safe, quote=True)}">{text}</a>'

    # emphasis first: a marker inside an address then puts a "<" in it, and the address is refused as a link
    out = _BOLD.sub(r"<strong>\1</strong>", escaped)
    out = _ITALIC.sub(r"<em>\1</em>", out)
    return _LINK.sub(link, out)


def _blocks(source: str) -> list[list[str]]:
    """Paragraph-like blocks: lines between blank lines."""
    blocks: list[list[str]] = [[]]
    for line in source.replace("\r\n", "\n").replace("\r", "\n").split("\n"):
        if line.strip():
            blocks[-1].append(line.strip())
        elif blocks[-1]:
            blocks.append([])
    return [b for b in blocks if b]


def _block_html(lines: list[str]) -> list[str]:
    out: list[str] = []
    paragraph: list[str] = []
    items: list[str] = []
    list_tag = ""

    def flush() -> None:
        nonlocal list_tag
        if paragraph:
            out.append("<p>" + "<br>\n".join(_inline(line) for line in paragraph) + "</p>")
            paragraph.clear()
        if items:
            out.append(f"<{list_tag}>" + "".join(f"<li>{_inline(i)}</li>" for i in items) + f"</{list_tag}>")
            items.clear()
            list_tag = ""

    for raw in lines:
        line = html.escape(raw, quote=True)
        heading, bullet, numbered = _HEADING.match(raw), _BULLET.match(raw), _NUMBERED.match(raw)
        if heading:
            flush()
            level = len(heading.group(1)) + 1  # the page or mail has its own h1
            out.append(f"<h{level}>{_inline(html.escape(heading.group(2), quote=True))}</h{level}>")
        elif bullet or numbered:
            tag = "ul" if bullet else "ol"
            if paragraph or (items and list_tag != tag):
                flush()
            list_tag = tag
            items.append(html.escape((bullet or numbered).group(1), quote=True))  # type: ignore[union-attr]
        else:
            if items:
                flush()
            paragraph.append(line)
    flush()
    return out


def to_html(source: str) -> Markup:
    """The subset as HTML (safe to put in an autoescaped template as it is)."""
    parts: list[str] = []
    for block in _blocks(source or ""):
        parts.extend(_block_html(block))
    return Markup("\n".join(parts))  # noqa: S704 - every character of the input was escaped above


def to_text(source: str) -> str:
    """The subset as plain text for the mail's text part: markers dropped, a link as "text (address)"."""

    def link(match: re.Match[str]) -> str:
        safe = safe_address(match.group(2))
        return f"{match.group(1)} ({safe})" if safe else match.group(0)

    lines = []
    for line in (source or "").replace("\r\n", "\n").split("\n"):
        heading = _HEADING.match(line.strip())
        line = heading.group(2) if heading else line.rstrip()
        line = _LINK.sub(link, line)
        line = _BOLD.sub(r"\1", line)
        lines.append(_ITALIC.sub(r"\1", line))
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()
