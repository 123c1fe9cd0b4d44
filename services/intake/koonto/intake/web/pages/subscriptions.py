"""Subscribing to the announcements, confirming by the mailed link, and unsubscribing in one click."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from koonto.intake.domain.messages import N_
from koonto.intake.domain.subscriptions import TOPICS, validate_subscription
from koonto.intake.web.deps import Deps, RateLimit, read_body, read_form
from koonto.intake.web.pages.forms import PublicForm, require_csrf, theme_names
from koonto.shared.i18n import current_language

router = APIRouter(include_in_schema=False)


SUBSCRIBE_FORM = PublicForm("subscribe.html", stamp="subscription", title=N_("Tilaa tiedotteet"))


@router.get("/subscribe")
async def subscribe_form(request: Request, deps: Deps) -> Response:
    return SUBSCRIBE_FORM.show(request, deps, {"language": current_language()}, {})


@router.post("/subscribe", dependencies=[RateLimit])
async def subscribe(request: Request, deps: Deps) -> Response:
    values, page = await read_form(request, deps.settings.max_body_bytes, ("consents.privacy_notice",))
    sent = deps.pages.render(request, "subscribe_sent.html", page_title=deps.t(N_("Tarkista sähköpostisi")))
    verdict = await deps.abuse.verdict("subscription", page)
    if verdict == "drop":  # the honeypot, and only it: answered as usual, nothing kept
        return sent
    draft, errors = validate_subscription(values, deps.region, default_language=current_language())
    if draft is None:
        return SUBSCRIBE_FORM.show(request, deps, values, errors, status=422, confirm=verdict == "confirm")
    if verdict == "confirm":  # suspected (too fast): the form again with the answers, to send from
        return SUBSCRIBE_FORM.show(request, deps, values, {}, confirm=True)
    await deps.subscriptions.request_topics(
        email=draft.email, topics=draft.topics, language=draft.language, municipality=draft.municipality,
        themes=draft.themes,
    )
    return sent


@router.get("/subscriptions/confirm/{token}")
async def confirm_page(token: str, request: Request, deps: Deps) -> Response:
    subscriptions = await deps.views.subscriptions_to_confirm(deps.views.subscriptions_of_confirm_link(token))
    # a button, not a GET side effect: mail scanners that open links must not confirm on anyone's behalf
    return deps.pages.render(
        request, "confirm.html", page_title=deps.t(N_("Vahvista tilaus")), token=token,
        csrf_token=deps.links.confirm.csrf_for(token), email=subscriptions[0]["email"] if subscriptions else None,
        topics=[deps.t(TOPICS[s["topic"]]) for s in subscriptions if s["topic"] in TOPICS],
        themes=theme_names(deps.region, {code for s in subscriptions for code in s.get("themes") or ()}),
    )


@router.post("/subscriptions/confirm/{token}")
async def confirm(token: str, request: Request, deps: Deps) -> Response:
    subscription_ids = deps.views.subscriptions_of_confirm_link(token)
    _, page = await read_form(request, deps.settings.max_body_bytes)
    require_csrf(deps.links.confirm, token, page)
    outcome = await deps.subscriptions.confirm_all(subscription_ids)
    return deps.pages.render(request, "confirmed.html", status_code=404 if outcome == "gone" else 200,
                             page_title=deps.t(N_("Tilaus vahvistettu")), outcome=outcome)


@router.get("/subscriptions/unsubscribe/{token}")
async def unsubscribe_page(token: str, request: Request, deps: Deps) -> Response:
    deps.views.link_value(deps.links.unsubscribe, token)
    return deps.pages.render(request, "unsubscribe.html", page_title=deps.t(N_("Peru tilaus")), token=token)


@router.post("/subscriptions/unsubscribe/{token}")
async def unsubscribe(token: str, request: Request, deps: Deps) -> Response:
    """RFC 8058 one-click: a POST with `List-Unsubscribe=One-Click`, no login, no CSRF token - the link is the proof."""
    subscription_id = deps.views.link_value(deps.links.unsubscribe, token)
    await read_body(request, deps.settings.max_body_bytes)
    outcome = await deps.subscriptions.cancel(subscription_id)
    return deps.pages.render(request, "unsubscribed.html", status_code=404 if outcome == "gone" else 200,
                             page_title=deps.t(N_("Tilaus peruttu")), outcome=outcome)
