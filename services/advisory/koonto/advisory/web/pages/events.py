"""Trainings and forums: the list with the form for a new one, one event with its sign-ups, the attendance."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from starlette.datastructures import FormData

from koonto.advisory.bootstrap import AdvisoryContainer, Deps
from koonto.advisory.domain.actor import Actor
from koonto.advisory.domain.errors import AdvisoryError
from koonto.advisory.i18n import N_
from koonto.advisory.web.deps import PageWork
from koonto.advisory.web.pages.common import (
    PREFIX,
    done,
    gettext,
    integer,
    moment,
    municipalities,
    optional,
    optional_moment,
    posted,
    refusal,
    render,
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


async def events_page(
    request: Request,
    advisory: AdvisoryContainer,
    *,
    errors: dict[str, str] | None = None,
    form: FormData | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    return render(
        request,
        "events.html",
        status_code=status_code,
        page_title=gettext(request, "Koulutukset ja foorumit"),
        events=await advisory.views.scheduled_events(),
        event_kinds=EVENT_KIND_LABELS,
        municipalities=municipalities(request),
        errors=errors or {},
        form=form or FormData(),
    )


@router.get("/events")
async def events(request: Request, advisory: Deps, principal: PageWork) -> HTMLResponse:
    return await events_page(request, advisory)


@router.post("/events")
async def schedule_event(request: Request, advisory: Deps, principal: PageWork) -> Response:
    form = await posted(request, principal)
    try:
        await advisory.trainings.schedule_event(
            Actor.of(principal),
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
    except AdvisoryError as exc:
        errors, status = refusal(request, exc, "title")
        return await events_page(request, advisory, errors=errors, form=form, status_code=status)
    return done("/events", "event")


async def event_page(
    request: Request,
    advisory: AdvisoryContainer,
    event_id: str,
    *,
    errors: dict[str, str] | None = None,
    form: FormData | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    event = await advisory.views.scheduled_event(event_id)
    return render(
        request,
        "event.html",
        status_code=status_code,
        page_title=event["title"],
        event=event,
        registrations=await advisory.views.registrations(event_id),
        event_kinds=EVENT_KIND_LABELS,
        errors=errors or {},
        form=form or FormData(),
    )


@router.get("/events/{event_id}")
async def event_detail(request: Request, event_id: str, advisory: Deps, principal: PageWork) -> HTMLResponse:
    return await event_page(request, advisory, event_id)


@router.post("/events/{event_id}/attendance")
async def attendance(request: Request, event_id: str, advisory: Deps, principal: PageWork) -> Response:
    form = await posted(request, principal)
    try:
        await advisory.trainings.record_attendance(
            Actor.of(principal),
            event_id,
            participants_total=integer(form, "participants_total", required=True) or 0,
            women=integer(form, "women") or 0,
            men=integer(form, "men") or 0,
            other=integer(form, "other") or 0,
            not_told=integer(form, "not_told"),
            organisations=text(form, "organisations").splitlines(),
        )
    except AdvisoryError as exc:
        errors, status = refusal(request, exc, "participants_total")
        return await event_page(request, advisory, event_id, errors=errors, form=form, status_code=status)
    return done(f"/events/{event_id}", "attendance")
