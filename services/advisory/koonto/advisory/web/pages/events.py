"""Trainings and forums: the list with the form for a new one, one event with its sign-ups (staff cancel one, raise
the capacity), the attendance."""

from __future__ import annotations

from functools import partial

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from koonto.advisory.bootstrap import Deps
from koonto.advisory.web.deps import PageWork
from koonto.advisory.web.labels import EVENT_KIND_LABELS
from koonto.advisory.web.pages.common import (
    FRESH,
    N_,
    PREFIX,
    Fresh,
    done,
    gettext,
    municipalities,
    own_regions,
    page,
    render,
    submit,
)
from koonto.advisory.web.pages.fields import (
    Fields,
    checked,
    chosen,
    count,
    count_or_zero,
    integer,
    lines,
    moment,
    optional,
    optional_moment,
    posting,
    text,
)
from koonto.shared.clock import HELSINKI, as_utc

router = APIRouter(prefix=PREFIX, include_in_schema=False)

EVENT_FORM: Fields = {  # the form for a new training or forum, as trainings.schedule_event takes it
    "title": text,
    "kind": text,
    "starts_at": moment,
    "ends_at": optional_moment,
    "place": text,
    "online_url": text,
    "capacity": count,
    "municipality": optional,
    "description": text,
    "what_to_bring": text,
    "asks_dietary_needs": checked,
    "asks_accessibility_needs": checked,
    "participant_list": checked,
    "region": optional,  # among the staff member's regions; the form has no such field for one region
}
ATTENDANCE_FORM: Fields = {  # the attendance of a held event, as trainings.record_attendance takes it
    "participants_total": count,
    "women": count_or_zero,
    "men": count_or_zero,
    "other": count_or_zero,
    "not_told": integer,
    "organisations": lines,
}


@router.get("/events")
async def events_page(request: Request, advisory: Deps, principal: PageWork, shown: Fresh = FRESH) -> HTMLResponse:
    return page(request, "events.html", shown, N_("Koulutukset ja foorumit"),
                events=await advisory.views.scheduled_events(), event_kinds=EVENT_KIND_LABELS,
                municipalities=municipalities(request), regions=own_regions(request))


@router.get("/events/{event_id}")
async def event_page(
    request: Request, advisory: Deps, event_id: str, principal: PageWork, shown: Fresh = FRESH
) -> HTMLResponse:
    event = await advisory.views.scheduled_event(event_id)
    return render(
        request,
        "event.html",
        page_title=event["title"],
        event=event,
        upcoming=as_utc(event["starts_at"]) > advisory.clock.now(),  # sign-ups can still be cancelled, seats added
        registrations=await advisory.views.registrations(event_id),
        event_kinds=EVENT_KIND_LABELS,
        **shown.context(),
    )


@router.post("/events")
async def schedule_event(request: Request, advisory: Deps, principal: PageWork) -> Response:
    act = posting(advisory.trainings.schedule_event, EVENT_FORM)
    return await submit(request, principal, act, field="title", then=done("/events", "event"),
                        again=partial(events_page, request, advisory, principal))


@router.post("/events/{event_id}/attendance")
async def attendance(request: Request, event_id: str, advisory: Deps, principal: PageWork) -> Response:
    act = posting(advisory.trainings.record_attendance, ATTENDANCE_FORM, event_id)
    return await submit(request, principal, act, field="participants_total",
                        then=done(f"/events/{event_id}", "attendance"),
                        again=partial(event_page, request, advisory, event_id, principal))


@router.post("/events/{event_id}/capacity")
async def capacity(request: Request, event_id: str, advisory: Deps, principal: PageWork) -> Response:
    act = posting(advisory.trainings.raise_capacity, {"capacity": count}, event_id)
    return await submit(request, principal, act, field="capacity", then=done(f"/events/{event_id}", "capacity"),
                        again=partial(event_page, request, advisory, event_id, principal))


@router.post("/events/{event_id}/registrations/{registration_id}/cancel")
async def cancel_registration(
    request: Request, event_id: str, registration_id: str, advisory: Deps, principal: PageWork
) -> Response:
    act = posting(advisory.trainings.cancel_registration, {}, event_id, registration_id)
    return await submit(request, principal, act, field="registration",
                        then=done(f"/events/{event_id}", "cancelled", "#registrations"),
                        again=partial(event_page, request, advisory, event_id, principal))


@router.get("/events/{event_id}/check-in")
async def check_in_page(
    request: Request, advisory: Deps, event_id: str, principal: PageWork, shown: Fresh = FRESH
) -> HTMLResponse:
    event = await advisory.views.scheduled_event(event_id)
    registrations = [r for r in await advisory.views.registrations(event_id) if r.get("status") != "cancelled"]
    return render(
        request,
        "check_in.html",
        page_title=f"{gettext(request, 'Osallistujalista')}: {event['title']}",
        event=event,
        registrations=registrations,
        on_the_day=as_utc(event["starts_at"]).astimezone(HELSINKI).date() <= advisory.clock.today(),
        **shown.context(),
    )


@router.post("/events/{event_id}/check-in")
async def check_in(request: Request, event_id: str, advisory: Deps, principal: PageWork) -> Response:
    act = posting(advisory.trainings.record_check_in, {"present": chosen}, event_id)
    return await submit(request, principal, act, field="present", then=done(f"/events/{event_id}/check-in", "check-in"),
                        again=partial(check_in_page, request, advisory, event_id, principal))
