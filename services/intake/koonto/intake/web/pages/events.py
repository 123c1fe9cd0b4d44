"""Trainings and forums: the list, and signing up for one."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response

from koonto.intake.bootstrap import IntakeContainer
from koonto.intake.domain.errors import EventNotOpen
from koonto.intake.domain.messages import N_, FieldErrors, Message
from koonto.intake.domain.registrations import EVENT_UNKNOWN, validate_registration
from koonto.intake.web.deps import Deps, RateLimit, read_form
from koonto.intake.web.pages.forms import event_cards, stamped_form
from koonto.shared.i18n import current_language

router = APIRouter(include_in_schema=False)

RECEIVED = N_("Ilmoittautuminen vastaanotettu")


@router.get("/events")
async def events(request: Request, deps: Deps) -> Response:
    upcoming = await deps.views.upcoming_events()
    return deps.pages.render(request, "events.html", page_title=deps.t(N_("Koulutukset ja foorumit")),
                             events=event_cards(deps, upcoming))


async def _open_event(deps: IntakeContainer, event_id: str) -> dict[str, Any]:
    """The event as the page shows it (EventNotOpen: the 404 page, web/errors.py)."""
    return event_cards(deps, [await deps.views.open_event(event_id)])[0]


def _registration_form(
    request: Request, deps: IntakeContainer, event: dict[str, Any], values: dict[str, Any], errors: FieldErrors,
    status: int = 200, confirm: bool = False,
) -> Response:
    return stamped_form(request, deps, "register.html", form="registration", title=N_("Ilmoittaudu"),
                        values=values, errors=errors, status=status, event=event, confirm=confirm)


@router.get("/events/{event_id}/register")
async def registration_form(event_id: str, request: Request, deps: Deps) -> Response:
    event = await _open_event(deps, event_id)
    return _registration_form(request, deps, event, {"participant": {"language": current_language()}}, {})


@router.post("/events/{event_id}/register", dependencies=[RateLimit])
async def register(event_id: str, request: Request, deps: Deps) -> Response:
    event = await _open_event(deps, event_id)
    values, page = await read_form(request, deps.settings.max_body_bytes, ("consents.privacy_notice",))
    verdict = await deps.abuse.verdict("registration", page)
    if verdict == "drop":  # the honeypot, and only it: answered as usual, nothing kept
        return deps.pages.render(request, "registration_receipt.html", page_title=deps.t(RECEIVED), event=event,
                                 status="confirmed", position=None)
    values["scheduled_event_id"] = event_id
    draft, errors = validate_registration(values, deps.region, default_language=current_language())
    if draft is None:
        return _registration_form(request, deps, event, values, errors, status=422, confirm=verdict == "confirm")
    if verdict == "confirm":  # suspected (too fast): the form again with the answers, to send from
        return _registration_form(request, deps, event, values, {}, confirm=True)
    try:
        registration = (await deps.registrations.register(draft)).registration
    except EventNotOpen:  # closed since the form was read: the form again, with the message on the event
        return _registration_form(request, deps, event, values, {"scheduled_event_id": Message(EVENT_UNKNOWN)}, 422)
    return deps.pages.render(
        request, "registration_receipt.html", page_title=deps.t(RECEIVED), event=event,
        status=registration["status"], position=registration.get("position_on_waitlist"),
    )
