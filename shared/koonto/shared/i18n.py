"""Languages: Finnish first, Swedish and English. gettext catalogues (.po) read with Babel at start-up.

Finnish is the source language: msgids are Finnish and a missing translation falls back to Finnish,
visibly and on purpose. The language of a request: `?lang=` > `koonto_lang` cookie > Accept-Language > fi.
"""

from __future__ import annotations

import contextvars
import io
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import NullTranslations, Translations
from starlette.requests import Request

LANGUAGES = ("fi", "sv", "en")
DEFAULT_LANGUAGE = "fi"
LANGUAGE_COOKIE = "koonto_lang"
LANGUAGE_NAMES = {"fi": "Suomeksi", "sv": "På svenska", "en": "In English"}



def N_(message: str) -> str:
    """Marks Finnish source text for extraction (pybabel -k N_) where it is translated later, at render time."""
    return message


_current = contextvars.ContextVar("koonto_language", default=DEFAULT_LANGUAGE)


class Catalogues:
    """Translations of one service: locale/<lang>/LC_MESSAGES/messages.po under each given folder."""

    def __init__(self, *locale_dirs: Path, domain: str = "messages") -> None:
        self._by_language: dict[str, NullTranslations] = {}
        for language in LANGUAGES:
            merged: NullTranslations | None = None
            for folder in locale_dirs:
                po = folder / language / "LC_MESSAGES" / f"{domain}.po"
                if not po.exists():
                    continue
                with po.open("rb") as handle:
                    catalog = read_po(handle, locale=language)
                buffer = io.BytesIO()
                write_mo(buffer, catalog)
                buffer.seek(0)
                translations = Translations(buffer, domain=domain)
                if merged is None:
                    merged = translations
                elif isinstance(merged, Translations):
                    merged.merge(translations)
            self._by_language[language] = merged or NullTranslations()

    def get(self, language: str) -> NullTranslations:
        return self._by_language.get(language, self._by_language[DEFAULT_LANGUAGE])

    def gettext(self, message: str) -> str:
        return self.get(_current.get()).gettext(message)

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        return self.get(_current.get()).ngettext(singular, plural, n)

    def gettext_in(self, language: str, message: str) -> str:
        return self.get(language).gettext(message)


def current_language() -> str:
    return _current.get()


@contextmanager
def language(code: str) -> Iterator[None]:
    token = _current.set(code if code in LANGUAGES else DEFAULT_LANGUAGE)
    try:
        yield
    finally:
        _current.reset(token)


def negotiate(request: Request) -> str:
    asked = request.query_params.get("lang")
    if asked in LANGUAGES:
        return asked
    cookie = request.cookies.get(LANGUAGE_COOKIE)
    if cookie in LANGUAGES:
        return cookie  # type: ignore[return-value]
    header = request.headers.get("accept-language", "")
    weighted: list[tuple[float, str]] = []
    for part in header.split(","):
        piece = part.strip()
        if not piece:
            continue
        tag, _, q = piece.partition(";q=")
        try:
            weight = float(q) if q else 1.0
        except ValueError:
            weight = 0.0
        weighted.append((weight, tag.strip().lower()[:2]))
    for _, tag in sorted(weighted, key=lambda item: -item[0]):
        if tag in LANGUAGES:
            return tag
    return DEFAULT_LANGUAGE


async def language_middleware(request: Request, call_next):  # type: ignore[no-untyped-def]
    """Sets the request's language for gettext and remembers an explicit ?lang= choice in a cookie."""
    chosen = negotiate(request)
    request.state.language = chosen
    token = _current.set(chosen)
    try:
        response = await call_next(request)
    finally:
        _current.reset(token)
    if request.query_params.get("lang") in LANGUAGES:
        response.set_cookie(LANGUAGE_COOKIE, chosen, max_age=365 * 24 * 3600, samesite="lax", httponly=True)
    response.headers.setdefault("Content-Language", chosen)
    return response
