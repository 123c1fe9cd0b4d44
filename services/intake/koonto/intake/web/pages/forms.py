"""What the page modules share: the form context (values, messages, choices), form stamps and CSRF checks."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from fastapi import Request
from fastapi.responses import Response

from koonto.intake.bootstrap import IntakeContainer
from koonto.intake.domain.errors import FormTokenMismatch
from koonto.intake.domain.ideas import CHANNELS, LANGUAGES, ORGANISATION_TYPES
from koonto.intake.domain.messages import FieldErrors
from koonto.intake.domain.registrations import EVENT_KINDS, GENDERS
from koonto.intake.domain.subscriptions import TOPICS
from koonto.intake.links import LinkSigner
from koonto.intake.web.deps import field_id
from koonto.shared.i18n import current_language
from koonto.shared.mongo import Document
from koonto.shared.region import Region


def lookup(values: Any, path: str) -> Any:
    for part in path.split("."):
        if not isinstance(values, dict):
            return None
        values = values.get(part)
    return values


def form_context(deps: IntakeContainer, values: Document, errors: FieldErrors) -> Document:
    """What every form template needs: values kept, messages per field, ids, and the choices."""
    texts = deps.errors_text(errors)
    lang = current_language()

    def val(path: str) -> str:
        value = lookup(values, path)
        if value is None or isinstance(value, bool):
            return ""
        if isinstance(value, list | tuple):
            return ", ".join(str(v) for v in value)
        return str(value)

    def chosen(path: str) -> list[str]:
        value = lookup(values, path)
        if isinstance(value, list | tuple):
            return [str(v) for v in value]
        return [str(value)] if value not in (None, "") else []

    region = deps.region
    return {
        "values": values, "errors": texts, "val": val, "chosen": chosen, "checked": lambda p: lookup(values, p) is True,
        "fid": field_id, "err": lambda p: texts.get(p, ""),
        "municipalities": [(m.code, m.name_sv if lang == "sv" else m.name_fi) for m in region.municipalities],
        "themes": [(t.code, getattr(t, lang, t.fi)) for t in region.themes],
        "organisation_types": [(k, deps.t(v)) for k, v in ORGANISATION_TYPES.items()],
        "language_choices": list(LANGUAGES.items()),
        "channels": [(k, deps.t(v)) for k, v in CHANNELS.items()],
        "topics": [(k, deps.t(v)) for k, v in TOPICS.items()],
        "genders": [(k, deps.t(v)) for k, v in GENDERS.items()],
    }


@dataclass(frozen=True)
class PublicForm:
    """A public form page: its template, the name its form stamps carry and its title (a Finnish msgid)."""

    template: str
    stamp: str
    title: str

    def show(
        self, request: Request, deps: IntakeContainer, values: Document, errors: FieldErrors, *, status: int = 200,
        confirm: bool = False, **extra: Any,
    ) -> Response:
        """The page with a fresh form stamp (the minimum fill time), the values kept, a message per field.
        `confirm`: the "please confirm" form for a suspected bot, with a note and a stamp that sends at once."""
        return deps.pages.render(
            request, self.template, status_code=status, page_title=deps.t(self.title),
            form_token=deps.abuse.stamp(self.stamp, confirm=confirm), confirm=confirm, **extra,
            **form_context(deps, values, errors),
        )


def require_csrf(signer: LinkSigner, token: str, page_fields: dict[str, str]) -> None:
    """A form reached through a signed link must carry the CSRF token bound to that link."""
    if not signer.csrf_ok(token, page_fields.get("csrf_token")):
        raise FormTokenMismatch


def municipality_name(region: Region, code: str, other: str | None) -> str | None:
    municipality = region.municipality(code)
    if municipality is None:
        return other
    return municipality.name_sv if current_language() == "sv" else municipality.name_fi


def theme_names(region: Region, codes: Any) -> list[str]:
    lang = current_language()
    return [getattr(t, lang, t.fi) for t in region.themes if t.code in codes]


def event_cards(deps: IntakeContainer, events: list[Document]) -> list[Document]:
    """Events as the pages show them: the kind and the municipality by name."""
    out = []
    for e in events:
        municipality = deps.region.municipality(e.get("municipality") or "")
        out.append({
            **e, "kind_name": deps.t(EVENT_KINDS.get(e["kind"]) or e["kind"]),
            "municipality_name": municipality.name_fi if municipality else "",
        })
    return out
