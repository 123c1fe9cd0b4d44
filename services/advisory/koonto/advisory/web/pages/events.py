"""Trainings and forums: the list with the form for a new one, one event with its sign-ups, the attendance."""

from __future__ import annotations

from collections.abc import Awaitable
from functools import partial

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from starlette.datastructures import FormData

from koonto.advisory.bootstrap import AdvisoryContainer, Deps
from koonto.advisory.domain.actor import Actor
from koonto.advisory.i18n import N_
from koonto.advisory.web.deps import PageWork
from koonto.advisory.web.pages.common import (
    FRESH,
    PREFIX,
    Shown,
    done,
    gettext,
    integer,
    moment,
    municipalities,
    optional,
    optional_moment,
    render,
    submit,
    text,
)

router = APIRouter(prefix=PREFIX, include_in_schema=False)

EVENT_KIND_LABELS = {
    "training": N_("Koulutus"),
    "forum": N_("Foorumi"),
    "talk": N_("Puheenvuoro"),
    "workshop": N_("Työpaja"),
    "networking": N_("Verkostotilaisuus"),
}


async def events_page(request: Request, advisory: AdvisoryContainer, shown: Shown = FRESH) -> HTMLResponse:
    return render(
        request,
        "events.html",
        page_title=gettext(request, "Koulutukset ja foorumit"),
        events=await advisory.views.scheduled_events(),
        event_kinds=EVENT_KIND_LABELS,
        municipalities=municipalities(request),
        **shown.context(),
    )


async def event_page(
    request: Request, advisory: AdvisoryContainer, event_id: str, shown: Shown = FRESH
) -> HTMLResponse:
    event = await advisory.views.scheduled_event(event_id)
    return render(
        request,
        "event.html",
        page_title=event["title"],
        event=event,
        registrations=await advisory.views.registrations(event_id),
        event_kinds=EVENT_KIND_LABELS,
        **shown.context(),
    )


@router.get("/events")
async def events(request: Request, advisory: Deps, principal: PageWork) -> HTMLResponse:
    return await events_page(request, advisory)


@router.post("/events")
async def schedule_event(request: Request, advisory: Deps, principal: PageWork) -> Response:
    def act(actor: Actor, form: FormData) -> Awaitable[object]:
        return advisory.trainings.schedule_event(
            actor,
            title=text(form, "title"),
            kind=text(form, "kind"),
            starts_at=moment(form, "starts_at"),
            ends_at=optional_moment(form, "ends_at"),
            place=text(form, "place"),
            online_url=text(form, "online_url"),
            capacity=integer(form, "capacity", required=True) or 0,
            municipality=optional(form, "municipality"),
            description=text(form, "description"),
        )

    again = partial(events_page, request, advisory)
    return await submit(request, principal, act, field="title", again=again, then=done("/events", "event"))


@router.get("/events/{event_id}")
async def event_detail(request: Request, event_id: str, advisory: Deps, principal: PageWork) -> HTMLResponse:
    return await event_page(request, advisory, event_id)


@router.post("/events/{event_id}/attendance")
async def attendance(request: Request, event_id: str, advisory: Deps, principal: PageWork) -> Response:
    def act(actor: Actor, form: FormData) -> Awaitable[object]:
        return advisory.trainings.record_attendance(
            actor,
            event_id,
            participants_total=integer(form, "participants_total", required=True) or 0,
            women=integer(form, "women") or 0,
            men=integer(form, "men") or 0,
            other=integer(form, "other") or 0,
            not_told=integer(form, "not_told"),
            organisations=text(form, "organisations").splitlines(),
        )

    again = partial(event_page, request, advisory, event_id)
    then = done(f"/events/{event_id}", "attendance")
    return await submit(request, principal, act, field="participants_total", again=again, then=then)
