"""A registration's cancel page, reached through the signed link in the confirmation and waiting-list mails:
it shows the registration and asks for one confirming click (a POST with the CSRF token bound to the link, so
neither a mail scanner opening the link nor another site can cancel on anyone's behalf)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from koonto.intake.bootstrap import IntakeContainer
from koonto.intake.domain.messages import N_
from koonto.intake.use_cases.registrations import Cancellable
from koonto.intake.web.deps import Deps, read_form
from koonto.intake.web.pages.forms import event_cards, require_csrf

router = APIRouter(include_in_schema=False)

CANCEL_TITLE = N_("Peru ilmoittautuminen")
CANCELLED_TITLE = N_("Ilmoittautuminen peruttu")
NOT_FOUND_TITLE = N_("Ilmoittautumista ei löytynyt")


async def _found(deps: IntakeContainer, token: str) -> Cancellable | None:
    registration_id = str(deps.views.link_value(deps.links.cancel, token))  # LinkRefused: the link's error page
    return await deps.registrations.cancellable(registration_id)


def _event(deps: IntakeContainer, found: Cancellable) -> dict[str, object] | None:
    return event_cards(deps, [found.event])[0] if found.event is not None else None


@router.get("/registrations/cancel/{token}")
async def cancel_page(token: str, request: Request, deps: Deps) -> Response:
    found = await _found(deps, token)
    if found is None or found.outcome is not None:
        outcome = found.outcome if found is not None else "gone"
        return deps.pages.render(
            request, "registration_cancelled.html", status_code=404 if outcome == "gone" else 200,
            page_title=deps.t(NOT_FOUND_TITLE if outcome == "gone" else CANCEL_TITLE), outcome=outcome,
            event=_event(deps, found) if found is not None else None,
        )
    return deps.pages.render(
        request, "cancel_registration.html", page_title=deps.t(CANCEL_TITLE), token=token,
        csrf_token=deps.links.cancel.csrf_for(token), event=_event(deps, found),
        status=found.registration["status"], position=found.position,
    )


@router.post("/registrations/cancel/{token}")
async def cancel(token: str, request: Request, deps: Deps) -> Response:
    registration_id = str(deps.views.link_value(deps.links.cancel, token))
    _, page = await read_form(request, deps.settings.max_body_bytes)
    require_csrf(deps.links.cancel, token, page)
    outcome = await deps.registrations.cancel(registration_id)
    found = await deps.registrations.cancellable(registration_id)
    title = {"cancelled": CANCELLED_TITLE, "gone": NOT_FOUND_TITLE}.get(outcome, CANCEL_TITLE)
    return deps.pages.render(
        request, "registration_cancelled.html", status_code=404 if outcome == "gone" else 200,
        page_title=deps.t(title), outcome=outcome, event=_event(deps, found) if found is not None else None,
    )
