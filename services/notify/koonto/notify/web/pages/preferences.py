"""The signed preference page and the unsubscribe page (RFC 8058 one-click), for everyone with a link.
A link whose signature does not hold is answered by `web/errors.py`."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse

from koonto.notify.domain import labels as topic_labels
from koonto.notify.domain.kinds import TOPICS
from koonto.notify.links import LinkTarget
from koonto.notify.web.deps import Deps
from koonto.shared.i18n import current_language

router = APIRouter(include_in_schema=False)


def _labels() -> dict[str, str]:
    """The topics in the page's language."""
    language = current_language()
    return {t: topic_labels.topic(language, t) for t in TOPICS}


@router.get("/preferences/{token}", response_class=HTMLResponse)
async def preferences(token: str, request: Request, deps: Deps, saved: int = Query(0)) -> HTMLResponse:
    target = deps.preferences.target(token)
    return deps.pages.render(
        request,
        "preferences.html",
        page_title="Viestiasetukset",
        email=target.email,
        topics=await deps.preferences.topics(target.email),
        labels=_labels(),
        token=token,
        saved=bool(saved),
    )


@router.post("/preferences/{token}", response_class=HTMLResponse)
async def save_preferences(token: str, request: Request, deps: Deps) -> Any:
    target = deps.preferences.target(token)
    form = await request.form()
    await deps.preferences.keep_only(target.email, {str(v) for v in form.getlist("topics")})
    return RedirectResponse(f"/preferences/{token}?saved=1", status_code=303)


def _unsubscribe_page(request: Request, deps: Deps, token: str, target: LinkTarget, *, done: bool) -> HTMLResponse:
    return deps.pages.render(
        request,
        "unsubscribe.html",
        page_title="Peru viestit",
        token=token,
        topic=target.topic,
        labels=_labels(),
        done=done,
        preferences_url=deps.links.preferences_url(target.email),
    )


@router.get("/unsubscribe/{token}", response_class=HTMLResponse)
async def unsubscribe_page(token: str, request: Request, deps: Deps) -> HTMLResponse:
    # a GET never changes anything (mail scanners follow links): the page asks for a click
    return _unsubscribe_page(request, deps, token, deps.preferences.target(token), done=False)


@router.post("/unsubscribe/{token}", response_class=HTMLResponse)
async def unsubscribe(token: str, request: Request, deps: Deps) -> HTMLResponse:
    """RFC 8058 one-click (body `List-Unsubscribe=One-Click`) and the page's own button."""
    target = deps.preferences.target(token)
    await deps.preferences.unsubscribe(target)
    return _unsubscribe_page(request, deps, token, target, done=True)
