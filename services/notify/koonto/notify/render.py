"""One render helper per channel: e-mail (subject, plain text, HTML) and SMS (text within three segments).

Templates live in `templates/<kind>/<lang>.txt` (blocks `subject`, `text` and, for kinds with an SMS variant,
`sms`) and `templates/<kind>/<lang>.html` (extends `_layout.html`). `.html` is autoescaped, every template
is `StrictUndefined`. Finnish is always present; another language falls back to Finnish explicitly: the
result says which language was used and whether it was a fallback, and the delivery records it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

import jinja2

from koonto.notify.domain import labels, sms
from koonto.notify.domain.kinds import KINDS
from koonto.shared import clock, markdown
from koonto.shared.logs import get_logger

TEMPLATES = Path(__file__).parent / "templates"
LANGUAGES = ("fi", "sv", "en")
log = get_logger(__name__)


def _templates_of(kind: str) -> str:
    """The template folder of a kind (a kind may look like another: `Kind.template`)."""
    known = KINDS.get(kind)
    return (known.template if known else None) or kind


class TemplateMissing(LookupError):
    pass


@dataclass(frozen=True)
class RenderedEmail:
    subject: str
    text: str
    html: str
    language: str
    fallback: bool


@dataclass(frozen=True)
class RenderedSms:
    text: str
    segments: int
    encoding: str
    language: str
    fallback: bool


def _date(value: date | datetime | str | None) -> str:
    if value is None or value == "":
        return ""
    if isinstance(value, str):
        value = datetime.fromisoformat(value) if "T" in value else date.fromisoformat(value)
    return clock.format_date(value)


def _datetime(value: datetime | str | None, language: str = "fi") -> str:
    """`{{ starts_at | datetime("sv") }}` in a Swedish template: 4.12.2026 kl. 10.00."""
    if value is None or value == "":
        return ""
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return clock.format_datetime(value, language)


def _time(value: datetime | str | None) -> str:
    if value is None or value == "":
        return ""
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return clock.format_time(value)


def make_environment(template_dir: Path = TEMPLATES) -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(template_dir),
        autoescape=jinja2.select_autoescape(enabled_extensions=("html",), default_for_string=True, default=False),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=False,
    )
    env.filters.update(
        date=_date,
        datetime=_datetime,
        time=_time,
        money=clock.format_money_eur,
        stage=lambda code, lang: labels.stage(lang, code),
        topic=lambda code, lang: labels.topic(lang, code),
        event_kind=lambda code, lang: labels.event_kind(lang, code),
        markdown=markdown.to_html,  # a newsletter's body: the safe subset, every character of the source escaped
        markdown_text=markdown.to_text,
    )
    return env


class Renderer:
    def __init__(self, template_dir: Path = TEMPLATES) -> None:
        self.template_dir = template_dir
        self.env = make_environment(template_dir)

    def has(self, kind: str, language: str, ext: str = "txt") -> bool:
        return (self.template_dir / _templates_of(kind) / f"{language}.{ext}").exists()

    def language_for(self, kind: str, language: str) -> tuple[str, bool]:
        if language in LANGUAGES and self.has(kind, language) and self.has(kind, language, "html"):
            return language, False
        if not (self.has(kind, "fi") and self.has(kind, "fi", "html")):
            raise TemplateMissing(f"no Finnish template for {kind!r}")
        if language != "fi":
            log.warning("template language missing; falling back to Finnish", kind=kind, language=language)
        return "fi", language != "fi"

    def _block(self, template: jinja2.Template, name: str, context: dict[str, Any]) -> str:
        if name not in template.blocks:
            raise TemplateMissing(f"{template.name} has no block {name!r}")
        return "".join(template.blocks[name](template.new_context(context))).strip()

    def _context(self, language: str, context: dict[str, Any]) -> dict[str, Any]:
        return {"lang": language, **context}

    def email(self, kind: str, language: str, context: dict[str, Any]) -> RenderedEmail:
        used, fallback = self.language_for(kind, language)
        kind = _templates_of(kind)
        ctx = self._context(used, context)
        text_template = self.env.get_template(f"{kind}/{used}.txt")
        subject = " ".join(self._block(text_template, "subject", ctx).split())
        text = self._block(text_template, "text", ctx)
        footer = self.env.get_template(f"_footer/{used}.txt").render(ctx).strip()
        html = self.env.get_template(f"{kind}/{used}.html").render({**ctx, "subject": subject})
        return RenderedEmail(subject, f"{text}\n\n-- \n{footer}\n", html, used, fallback)

    def sms(self, kind: str, language: str, context: dict[str, Any]) -> RenderedSms:
        used, fallback = self.language_for(kind, language)
        template = self.env.get_template(f"{kind}/{used}.txt")
        raw = self._block(template, "sms", self._context(used, context))
        text = sms.normalise_for_gsm(" ".join(raw.split()))
        link = str(context.get("sms_link") or "")
        if link and text.endswith(link):
            text = sms.fit(text[: -len(link)], sms.MAX_SEGMENTS, keep_tail=link)
        else:
            text = sms.fit(text, sms.MAX_SEGMENTS)
        measured = sms.measure(text)
        return RenderedSms(text, measured.segments, measured.encoding, used, fallback)

    def kinds(self) -> list[str]:
        return sorted(KINDS)
