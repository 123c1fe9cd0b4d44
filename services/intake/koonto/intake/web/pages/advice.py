"""Advice times (hankeklinikka): the free times, booking one, and the booking's own page behind its signed link
(cancel, or move to another time with one click). No JavaScript: every choice is a form."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from koonto.intake.bootstrap import IntakeContainer
from koonto.intake.domain.bookings import SLOT_GONE, SLOT_KINDS, SLOT_TAKEN, validate_booking
from koonto.intake.domain.errors import LinkRefused, SlotNotOpen, SlotTaken
from koonto.intake.domain.messages import N_, FieldErrors, Message
from koonto.intake.web.deps import Deps, RateLimit, read_form
from koonto.intake.web.pages.forms import PublicForm, require_csrf
from koonto.shared.clock import as_utc
from koonto.shared.i18n import current_language
from koonto.shared.mongo import Document
from koonto.shared.pages import see_other

router = APIRouter(include_in_schema=False)

BOOKING_FORM = PublicForm("advice_book.html", stamp="booking", title=N_("Varaa neuvonta-aika"))
BOOKED = N_("Neuvonta-aika varattu")


def slot_cards(deps: IntakeContainer, slots: list[Document]) -> list[Document]:
    """Times as the pages show them: the kind by name, times as datetimes."""
    return [{**s, "starts_at": as_utc(s["starts_at"]), "ends_at": as_utc(s["ends_at"]),
             "kind_name": deps.t(SLOT_KINDS.get(s["kind"]) or s["kind"])} for s in slots]


async def _idea_id(deps: IntakeContainer, token: str | None) -> str | None:
    """The idea of the status link a booking came from (LinkRefused when the link is not ours)."""
    return str((await deps.views.idea_of_status_link(token))["_id"]) if token else None


@router.get("/advice")
async def free_times(request: Request, deps: Deps, token: str = "") -> Response:
    if token:
        await _idea_id(deps, token)  # a broken status link is said at once, not after the form
    slots = slot_cards(deps, await deps.views.free_advice_slots())
    return deps.pages.render(request, "advice.html", page_title=deps.t(N_("Hankeklinikka: varaa neuvonta-aika")),
                             slots=slots, token=token)


async def _form(
    request: Request, deps: IntakeContainer, values: Document, errors: FieldErrors, *, status: int = 200,
    confirm: bool = False, besides: str | None = None,
) -> Response:
    """The booking form for the time in `values["slot_id"]`, or (`besides`: that time was taken) with the other
    free times to choose from; the person's answers kept."""
    slot = None if besides else await deps.views.advice_slot(str(values.get("slot_id") or ""))
    if not besides and (slot is None or slot.get("status") != "free"):
        besides, errors = str(values.get("slot_id") or ""), {**errors, "slot_id": Message(SLOT_GONE)}
    others = slot_cards(deps, await deps.views.free_advice_slots(besides=besides)) if besides else []
    if besides:
        values = {**values, "slot_id": ""}
    return BOOKING_FORM.show(request, deps, values, errors, status=status, confirm=confirm,
                             slot=slot_cards(deps, [slot])[0] if slot and not besides else None, others=others)


@router.get("/advice/book")
async def booking_form(request: Request, deps: Deps, slot: str = "", token: str = "") -> Response:
    if token:
        await _idea_id(deps, token)
    values = {"slot_id": slot, "token": token, "contact": {"language": current_language()}}
    return await _form(request, deps, values, {})


@router.post("/advice/book", dependencies=[RateLimit])
async def book(request: Request, deps: Deps) -> Response:
    values, page = await read_form(request, deps.settings.max_body_bytes, ("consents.privacy_notice",))
    verdict = await deps.abuse.verdict("booking", page)
    if verdict == "drop":  # the honeypot: answered as the free times, nothing kept
        return see_other(request, "/advice")
    draft, errors = validate_booking(values, default_language=current_language())
    if draft is None or verdict == "confirm":
        return await _form(request, deps, values, errors, status=422 if errors else 200, confirm=verdict == "confirm")
    try:
        booked = await deps.bookings.book(draft, idea_id=await _idea_id(deps, values.get("token") or None))
    except SlotTaken:
        return await _form(request, deps, values, {"slot_id": Message(SLOT_TAKEN)}, status=409, besides=draft.slot_id)
    except SlotNotOpen:
        return await _form(request, deps, values, {"slot_id": Message(SLOT_GONE)}, status=409, besides=draft.slot_id)
    return deps.pages.render(request, "advice_booked.html", page_title=deps.t(BOOKED),
                             slot=slot_cards(deps, [booked.slot])[0], booking=booked.booking)


# -- the booking's own page (the link in the confirmation) ---------------------------------------------------------
def _manage_page(request: Request, deps: IntakeContainer, token: str, slot: Document, booking: Document,
                 others: list[Document], *, status: int = 200, error: str = "", done: str = "") -> Response:
    return deps.pages.render(
        request, "advice_booking.html", status_code=status, page_title=deps.t(N_("Varauksesi")), token=token,
        csrf_token=deps.links.booking.csrf_for(token), slot=slot_cards(deps, [slot])[0], booking=booking,
        others=others, error=deps.t(error) if error else "", done=done,
    )


@router.get("/advice/booking/{token}")
async def manage(token: str, request: Request, deps: Deps) -> Response:
    slot, booking = await deps.views.booking_of_link(token)
    others = slot_cards(deps, await deps.views.free_advice_slots(besides=slot["_id"]))
    return _manage_page(request, deps, token, slot, booking, others, done=request.query_params.get("done", ""))


@router.post("/advice/booking/{token}/cancel")
async def cancel(token: str, request: Request, deps: Deps) -> Response:
    slot, booking = await deps.views.booking_of_link(token)
    _, page = await read_form(request, deps.settings.max_body_bytes)
    require_csrf(deps.links.booking, token, page)
    await deps.bookings.cancel(slot, booking)  # a second click changes nothing
    return see_other(request, f"/advice/booking/{token}?done=cancelled")


@router.post("/advice/booking/{token}/rebook")
async def rebook(token: str, request: Request, deps: Deps) -> Response:
    slot, booking = await deps.views.booking_of_link(token)
    values, page = await read_form(request, deps.settings.max_body_bytes)
    require_csrf(deps.links.booking, token, page)
    new_slot_id = str(values.get("slot_id") or "")
    problem: str | None = None
    if not new_slot_id:
        problem = N_("Valitse uusi aika.")
    else:
        try:
            booked = await deps.bookings.rebook(slot, booking, new_slot_id)
        except SlotTaken:
            problem = SLOT_TAKEN
        except SlotNotOpen:
            problem = SLOT_GONE
        except LinkRefused:
            return see_other(request, f"/advice/booking/{token}")  # cancelled meanwhile: shown so
    if problem is not None:
        others = slot_cards(deps, await deps.views.free_advice_slots(besides=slot["_id"]))
        return _manage_page(request, deps, token, slot, booking, others, status=409 if new_slot_id else 422,
                            error=problem)
    new_token = deps.links.booking.sign([booked.slot["_id"], booked.booking["booking_id"]])
    return see_other(request, f"/advice/booking/{new_token}?done=rebooked")
