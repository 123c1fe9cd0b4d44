"""Pages: for staff the delivery log, the template preview and fan-out progress; for everyone the signed
preference page and RFC 8058 one-click unsubscribe."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

from fastapi import APIRouter, Depends, FastAPI, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse

from koonto.notify.domain import labels as topic_labels
from koonto.notify.domain.kinds import KINDS, TOPICS
from koonto.notify.render import LANGUAGES
from koonto.notify.samples import sample
from koonto.notify.web.api import STATUSES, fanout_view, notify_app
from koonto.shared.auth import StaffPrincipal, require_staff
from koonto.shared.i18n import Catalogues, current_language
from koonto.shared.pages import SHARED_LOCALE, Pages

HERE = Path(__file__).parent
LOCALE = HERE.parent / "locale"


def mount_static(app: FastAPI) -> None:
    """Nothing of our own to serve yet: the pages use the shared stylesheet."""


_pages: Pages | None = None


def pages() -> Pages:
    global _pages
    if _pages is None:
        _pages = Pages(HERE / "templates", Catalogues(SHARED_LOCALE, LOCALE), service="notify")
    return _pages


def _labels() -> dict[str, str]:
    """The topics in the page's language."""
    language = current_language()
    return {t: topic_labels.topic(language, t) for t in TOPICS}


def router() -> APIRouter:
    r = APIRouter(include_in_schema=False)
    staff = Depends(require_staff("coordinator", "advisor"))

    @r.get("/", response_class=HTMLResponse)
    async def home(principal: StaffPrincipal = staff) -> RedirectResponse:
        return RedirectResponse("/staff/notifications", status_code=303)

    @r.get("/staff/notifications", response_class=HTMLResponse)
    async def delivery_log(
        request: Request,
        recipient: str | None = None,
        kind: str | None = None,
        status: str | None = None,
        since: str | None = None,
        until: str | None = None,
        principal: StaffPrincipal = staff,
    ) -> HTMLResponse:
        app = notify_app(request)
        errors: dict[str, str] = {}

        def parse(name: str, value: str | None) -> datetime | None:
            if not value:
                return None
            try:
                return datetime.fromisoformat(value)
            except ValueError:
                errors[name] = "Anna päivämäärä muodossa VVVV-KK-PP."
                return None

        since_at, until_at = parse("since", since), parse("until", until)
        items = await app.store.list_deliveries(
            recipient=recipient or None,
            kind=kind or None,
            status=status or None,
            since=since_at,
            until=until_at,
            limit=200,
        )
        return pages().render(
            request,
            "log.html",
            staff=principal,
            page_title="Viestiloki",
            items=items,
            kinds=sorted(KINDS),
            statuses=STATUSES,
            errors=errors,
            filters={
                "recipient": recipient or "",
                "kind": kind or "",
                "status": status or "",
                "since": since or "",
                "until": until or "",
            },
        )

    @r.get("/staff/templates", response_class=HTMLResponse)
    async def preview(request: Request, principal: StaffPrincipal = staff) -> HTMLResponse:
        app = notify_app(request)
        previews: list[dict[str, Any]] = []
        for kind in sorted(KINDS):
            for lang in LANGUAGES:
                context = {**sample(kind), **app.common_context()}
                email = app.renderer.email(kind, lang, context)
                sms = app.renderer.sms(kind, lang, context) if KINDS[kind].sms else None
                previews.append({"kind": kind, "lang": lang, "basis": KINDS[kind].basis, "email": email, "sms": sms})
        return pages().render(request, "preview.html", staff=principal, page_title="Viestipohjat", previews=previews)

    @r.get("/staff/fanouts", response_class=HTMLResponse)
    async def fanouts(request: Request, principal: StaffPrincipal = staff) -> HTMLResponse:
        app = notify_app(request)
        views = [await fanout_view(app, f) for f in await app.store.list_fanouts()]
        return pages().render(request, "fanouts.html", staff=principal, page_title="Joukkolähetykset", fanouts=views)

    @r.get("/preferences/{token}", response_class=HTMLResponse)
    async def preferences(token: str, request: Request, saved: int = Query(0)) -> HTMLResponse:
        app = notify_app(request)
        target = app.links.read(token)
        if target is None:
            return pages().render(request, "invalid_link.html", status_code=404, page_title="Linkki ei kelpaa")
        subscriber = await app.store.subscriber(target.email)
        topics = {t: bool(((subscriber or {}).get("topics") or {}).get(t, {}).get("consent")) for t in TOPICS}
        return pages().render(
            request,
            "preferences.html",
            page_title="Viestiasetukset",
            email=target.email,
            topics=topics,
            labels=_labels(),
            token=token,
            saved=bool(saved),
        )

    @r.post("/preferences/{token}", response_class=HTMLResponse)
    async def save_preferences(token: str, request: Request) -> Any:
        app = notify_app(request)
        target = app.links.read(token)
        if target is None:
            return pages().render(request, "invalid_link.html", status_code=404, page_title="Linkki ei kelpaa")
        form = await request.form()
        wanted = {str(v) for v in form.getlist("topics")}
        subscriber = await app.store.subscriber(target.email)
        current = {t: bool(((subscriber or {}).get("topics") or {}).get(t, {}).get("consent")) for t in TOPICS}
        for topic in TOPICS:
            # consent is given through intake's double opt-in; here it can only be withdrawn
            if current[topic] and topic not in wanted:
                await app.store.record_consent(
                    target.email, topic=topic, consent=False, at=app.now(), source="preference-page"
                )
        return RedirectResponse(f"/preferences/{token}?saved=1", status_code=303)

    @r.get("/unsubscribe/{token}", response_class=HTMLResponse)
    async def unsubscribe_page(token: str, request: Request) -> HTMLResponse:
        app = notify_app(request)
        target = app.links.read(token)
        if target is None:
            return pages().render(request, "invalid_link.html", status_code=404, page_title="Linkki ei kelpaa")
        # a GET never changes anything (mail scanners follow links): the page asks for a click
        return pages().render(
            request,
            "unsubscribe.html",
            page_title="Peru viestit",
            token=token,
            topic=target.topic,
            labels=_labels(),
            done=False,
            preferences_url=app.links.preferences_url(target.email),
        )

    @r.post("/unsubscribe/{token}", response_class=HTMLResponse)
    async def unsubscribe(token: str, request: Request) -> HTMLResponse:
        """RFC 8058 one-click (body `List-Unsubscribe=One-Click`) and the page's own button."""
        app = notify_app(request)
        target = app.links.read(token)
        if target is None:
            return pages().render(request, "invalid_link.html", status_code=404, page_title="Linkki ei kelpaa")
        for topic in [target.topic] if target.topic else list(TOPICS):
            await app.store.record_consent(
                target.email, topic=topic, consent=False, at=app.now(), source="one-click-unsubscribe"
            )
        return pages().render(
            request,
            "unsubscribe.html",
            page_title="Peru viestit",
            token=token,
            topic=target.topic,
            labels=_labels(),
            done=True,
            preferences_url=app.links.preferences_url(target.email),
        )

    return r
