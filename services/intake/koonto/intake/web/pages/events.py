"""Trainings and forums: the list, and signing up for one."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response

from koonto.intake.bootstrap import IntakeContainer
from koonto.intake.domain.errors import EventNotOpen
from koonto.intake.domain.messages import N_, Message
from koonto.intake.domain.registrations import EVENT_UNKNOWN, validate_registration
from koonto.intake.web.deps import Deps, RateLimit, read_form
from koonto.intake.web.pages.forms import PublicForm, event_cards
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


REGISTRATION_FORM = PublicForm("register.html", stamp="registration", title=N_("Ilmoittaudu"))


@router.get("/events/{event_id}/register")
async def registration_form(event_id: str, request: Request, deps: Deps) -> Response:
    event = await _open_event(deps, event_id)
    return REGISTRATION_FORM.show(request, deps, {"participant": {"language": current_language()}}, {}, event=event)


@router.post("/events/{event_id}/register", dependencies=[RateLimit])
async def register(event_id: str, request: Request, deps: Deps) -> Response:
    event = await _open_event(deps, event_id)
    values, page = await read_form(request, deps.settings.max_body_bytes, ("consents.privacy_notice",
                                                                            "consents.participant_list"))
    verdict = await deps.abuse.verdict("registration", page)
    if verdict == "drop":  # the honeypot, and only it: answered as usual, nothing kept
        return deps.pages.render(request, "registration_receipt.html", page_title=deps.t(RECEIVED), event=event,
                                 status="confirmed", position=None)
    values["scheduled_event_id"] = event_id
    draft, errors = validate_registration(values, deps.region, default_language=current_language())
    if draft is None:
        confirm = verdict == "confirm"
        return REGISTRATION_FORM.show(request, deps, values, errors, status=422, confirm=confirm, event=event)
    if verdict == "confirm":  # suspected (too fast): the form again with the answers, to send from
        return REGISTRATION_FORM.show(request, deps, values, {}, confirm=True, event=event)
    try:
        registration = (await deps.registrations.register(draft)).registration
    except EventNotOpen:  # closed since the form was read: the form again, with the message on the event
        return REGISTRATION_FORM.show(request, deps, values, {"scheduled_event_id": Message(EVENT_UNKNOWN)}, status=422,
                                      event=event)
    return deps.pages.render(
        request, "registration_receipt.html", page_title=deps.t(RECEIVED), event=event,
        status=registration["status"], position=registration.get("position_on_waitlist"),
    )
