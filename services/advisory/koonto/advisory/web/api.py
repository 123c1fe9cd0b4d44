"""The JSON API under /api/v1, the token endpoint and the JWKS. Every staff endpoint refuses anonymous calls."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse
from fastapi.security import OAuth2PasswordRequestForm
from pydantic import BaseModel, ConfigDict, Field

from koonto.advisory.domain.actor import Actor
from koonto.advisory.domain.errors import AdvisoryError
from koonto.advisory.domain.lifecycle import BACKWARD, FORWARD, OPEN_STAGES, STAGE_LABELS, STAGES, TransitionRequest
from koonto.advisory.store import CaseFilter
from koonto.advisory.web.deps import ADMIN, WORK, AdvisoryDep, api_staff
from koonto.advisory.web.errors import json_error
from koonto.advisory.web.serialize import case_json, plain
from koonto.shared.auth import StaffPrincipal

Euros = Annotated[int, Field(ge=0, le=1_000_000_000)]


class Body(BaseModel):
    model_config = ConfigDict(extra="forbid")


class TransitionIn(Body):
    to: str = Field(max_length=50)
    reason: str | None = Field(default=None, max_length=20_000)
    call_id: str | None = Field(default=None, max_length=100)
    amount_applied_eur: Euros | None = None
    amount_granted_eur: Euros | None = None
    public_summary: str | None = Field(default=None, max_length=20_000)


class SessionIn(Body):
    kind: str = Field(max_length=20)
    started_at: datetime
    duration_minutes: int = Field(ge=1, le=24 * 60)
    topics: list[Annotated[str, Field(max_length=200)]] = Field(default_factory=list, max_length=20)
    note: str | None = Field(default=None, max_length=20_000)


class NoteIn(Body):
    text: str = Field(min_length=1, max_length=20_000)


class MessageIn(Body):
    body: str = Field(min_length=1, max_length=20_000)


class AssignmentIn(Body):
    advisor_id: str = Field(min_length=1, max_length=100)


class FollowupIn(Body):
    due_on: date
    note: str | None = Field(default=None, max_length=20_000)
    assignee_id: str | None = Field(default=None, max_length=100)


class CallIn(Body):
    name: str = Field(min_length=1, max_length=200)
    funder: str = Field(min_length=1, max_length=200)
    opens_on: date
    closes_on: date
    budget_eur: Euros | None = None
    url: str | None = Field(default=None, max_length=2000)
    description: str = Field(default="", max_length=20_000)


class EventIn(Body):
    title: str = Field(min_length=1, max_length=200)
    kind: str = Field(max_length=20)
    starts_at: datetime
    ends_at: datetime | None = None
    place: str | None = Field(default=None, max_length=200)
    online_url: str | None = Field(default=None, max_length=2000)
    capacity: int = Field(ge=1, le=100_000)
    municipality: str | None = Field(default=None, max_length=100)
    description: str = Field(default="", max_length=20_000)


class AttendanceIn(Body):
    participants_total: int = Field(ge=0, le=100_000)
    women: int = Field(default=0, ge=0, le=100_000)
    men: int = Field(default=0, ge=0, le=100_000)
    other: int = Field(default=0, ge=0, le=100_000)
    not_told: int | None = Field(default=None, ge=0, le=100_000)
    organisations: list[Annotated[str, Field(max_length=200)]] = Field(default_factory=list, max_length=500)


class StaffIn(Body):
    email: str = Field(max_length=320)
    name: str = Field(min_length=1, max_length=200)
    roles: list[str] = Field(min_length=1, max_length=4)
    password: str = Field(min_length=1, max_length=1000)
    language: str = "fi"


class StaffPatch(Body):
    name: str | None = Field(default=None, max_length=200)
    roles: list[str] | None = Field(default=None, max_length=4)
    active: bool | None = None
    password: str | None = Field(default=None, max_length=1000)
    language: str | None = None


def client_address(request: Request) -> str:
    return request.client.host if request.client else "unknown"


def _staff_out(doc: dict[str, Any]) -> dict[str, Any]:
    out = plain(doc, "staff_id")
    out.pop("password_hash", None)
    return out


def api_router() -> APIRouter:
    router = APIRouter(tags=["advisory"])
    work = api_staff(*WORK)
    admin = api_staff(*ADMIN)
    anyone = api_staff()

    async def run(call: Any) -> Any:
        try:
            return await call
        except AdvisoryError as exc:
            return json_error(exc)

    # -- keys and tokens ---------------------------------------------------------------------------------
    @router.get("/.well-known/jwks.json", summary="Public keys that verify staff tokens", tags=["auth"])
    async def jwks(advisory: AdvisoryDep) -> JSONResponse:
        return JSONResponse(advisory.keys.jwks(), headers={"Cache-Control": "public, max-age=300"})

    @router.post("/api/v1/token", summary="Staff bearer token (OAuth2 password form)", tags=["auth"])
    async def token(
        request: Request, advisory: AdvisoryDep, form: Annotated[OAuth2PasswordRequestForm, Depends()]
    ) -> Any:
        async def issue() -> dict[str, Any]:
            staff = await advisory.auth.authenticate(form.username, form.password, client_address(request))
            return {
                "access_token": advisory.auth.issue_token(staff),
                "token_type": "bearer",
                "expires_in": advisory.settings.staff_token_ttl_seconds,
            }

        result = await run(issue())
        if isinstance(result, JSONResponse) and result.status_code == 401:
            result.headers["WWW-Authenticate"] = "Bearer"
        return result

    @router.get("/api/v1/me", summary="The signed-in staff member")
    async def me(principal: StaffPrincipal = anyone) -> dict[str, Any]:
        return {
            "staff_id": principal.staff_id,
            "email": principal.email,
            "name": principal.name,
            "roles": list(principal.roles),
        }

    # -- lifecycle ---------------------------------------------------------------------------------------
    @router.get("/api/v1/stages", summary="The case lifecycle: stages, labels and allowed moves")
    async def stages(principal: StaffPrincipal = work) -> dict[str, Any]:
        return {
            "stages": [{"stage": s, "label_fi": STAGE_LABELS[s], "open": s in OPEN_STAGES} for s in STAGES],
            "forward": [list(m) for m in FORWARD],
            "backward_with_reason": [list(m) for m in BACKWARD],
            "withdraw_from": list(OPEN_STAGES),
        }

    # -- cases -------------------------------------------------------------------------------------------
    @router.get("/api/v1/cases", summary="Cases, filtered")
    async def list_cases(
        advisory: AdvisoryDep,
        stage: str | None = None,
        municipality: str | None = None,
        advisor: str | None = None,
        call: str | None = None,
        theme: str | None = None,
        q: str | None = None,
        open_only: bool = False,
        limit: int = 200,
        principal: StaffPrincipal = work,
    ) -> list[dict[str, Any]]:
        flt = CaseFilter(
            stage=stage,
            municipality=municipality,
            advisor_id=advisor,
            call_id=call,
            theme=theme,
            text=q,
            open_only=open_only,
        )
        return [case_json(c) for c in await advisory.views.cases(flt, limit=max(1, min(limit, 1000)))]

    @router.get("/api/v1/cases/{case_id}", summary="One case with its timeline")
    async def get_case(case_id: str, advisory: AdvisoryDep, principal: StaffPrincipal = work) -> Any:
        async def load() -> dict[str, Any]:
            return case_json(await advisory.views.case(case_id), with_timeline=True)

        return await run(load())

    @router.post("/api/v1/cases/{case_id}/transitions", summary="Move a case to another stage")
    async def transition(
        case_id: str, body: TransitionIn, advisory: AdvisoryDep, principal: StaffPrincipal = work
    ) -> Any:
        async def move() -> dict[str, Any]:
            request = TransitionRequest(
                target=body.to,
                reason=body.reason,
                call_id=body.call_id,
                amount_applied_eur=body.amount_applied_eur,
                amount_granted_eur=body.amount_granted_eur,
                public_summary=body.public_summary,
            )
            return case_json(await advisory.cases.transition(Actor.of(principal), case_id, request))

        return await run(move())

    @router.post("/api/v1/cases/{case_id}/sessions", summary="Log an advice session", status_code=201)
    async def log_session(
        case_id: str, body: SessionIn, advisory: AdvisoryDep, principal: StaffPrincipal = work
    ) -> Any:
        return await run(
            advisory.sessions.log_session(
                Actor.of(principal),
                case_id,
                kind=body.kind,
                started_at=body.started_at,
                duration_minutes=body.duration_minutes,
                topics=body.topics,
                note=body.note,
            )
        )

    @router.post("/api/v1/cases/{case_id}/notes", summary="Add an internal note", status_code=201)
    async def add_note(case_id: str, body: NoteIn, advisory: AdvisoryDep, principal: StaffPrincipal = work) -> Any:
        return await run(advisory.sessions.add_note(Actor.of(principal), case_id, body.text))

    @router.post("/api/v1/cases/{case_id}/messages", summary="Write to the association", status_code=201)
    async def message(case_id: str, body: MessageIn, advisory: AdvisoryDep, principal: StaffPrincipal = work) -> Any:
        return await run(advisory.sessions.message_association(Actor.of(principal), case_id, body.body))

    @router.post("/api/v1/cases/{case_id}/assignment", summary="Assign the case to an advisor")
    async def assign(case_id: str, body: AssignmentIn, advisory: AdvisoryDep, principal: StaffPrincipal = work) -> Any:
        async def do() -> dict[str, Any]:
            return case_json(await advisory.cases.assign(Actor.of(principal), case_id, body.advisor_id))

        return await run(do())

    @router.post("/api/v1/cases/{case_id}/followups", summary="Set a dated follow-up", status_code=201)
    async def add_followup(
        case_id: str, body: FollowupIn, advisory: AdvisoryDep, principal: StaffPrincipal = work
    ) -> Any:
        async def do() -> dict[str, Any]:
            doc = await advisory.followups.add_followup(
                Actor.of(principal), case_id, due_on=body.due_on, note=body.note, assignee_id=body.assignee_id
            )
            return plain(doc, "followup_id")

        return await run(do())

    @router.get("/api/v1/followups", summary="Open follow-ups (mine=true: only mine)")
    async def list_followups(
        advisory: AdvisoryDep, mine: bool = False, case: str | None = None, principal: StaffPrincipal = work
    ) -> list[dict[str, Any]]:
        docs = await advisory.views.followups(assignee_id=principal.staff_id if mine else None, case_id=case)
        return [plain(d, "followup_id") for d in docs]

    @router.post("/api/v1/followups/{followup_id}/done", summary="Mark a follow-up done")
    async def complete_followup(followup_id: str, advisory: AdvisoryDep, principal: StaffPrincipal = work) -> Any:
        async def do() -> dict[str, Any]:
            return plain(await advisory.followups.complete_followup(Actor.of(principal), followup_id), "followup_id")

        return await run(do())

    @router.get("/api/v1/workload", summary="Open cases per advisor and stage")
    async def workload(advisory: AdvisoryDep, principal: StaffPrincipal = work) -> list[dict[str, Any]]:
        return await advisory.views.workload()

    # -- funding calls -----------------------------------------------------------------------------------
    @router.get("/api/v1/calls", summary="Funding calls")
    async def list_calls(advisory: AdvisoryDep, principal: StaffPrincipal = work) -> list[dict[str, Any]]:
        return [plain(c, "call_id") for c in await advisory.views.calls()]

    @router.post("/api/v1/calls", summary="Create a funding call", status_code=201)
    async def create_call(body: CallIn, advisory: AdvisoryDep, principal: StaffPrincipal = work) -> Any:
        async def do() -> dict[str, Any]:
            doc = await advisory.calls.create_call(
                Actor.of(principal),
                name=body.name,
                funder=body.funder,
                opens_on=body.opens_on,
                closes_on=body.closes_on,
                budget_eur=body.budget_eur,
                url=body.url,
                description=body.description,
            )
            return plain(doc, "call_id")

        return await run(do())

    @router.get("/api/v1/calls/{call_id}", summary="One funding call with the cases preparing for it")
    async def get_call(call_id: str, advisory: AdvisoryDep, principal: StaffPrincipal = work) -> Any:
        async def do() -> dict[str, Any]:
            doc = plain(await advisory.views.call(call_id), "call_id")
            doc["preparing_case_ids"] = [c["_id"] for c in await advisory.views.preparing_cases_for_call(call_id)]
            return doc

        return await run(do())

    # -- trainings and forums ----------------------------------------------------------------------------
    @router.get("/api/v1/events", summary="Trainings and forums")
    async def list_events(advisory: AdvisoryDep, principal: StaffPrincipal = work) -> list[dict[str, Any]]:
        return [plain(e, "scheduled_event_id") for e in await advisory.views.scheduled_events()]

    @router.post("/api/v1/events", summary="Schedule a training or forum", status_code=201)
    async def schedule_event(body: EventIn, advisory: AdvisoryDep, principal: StaffPrincipal = work) -> Any:
        async def do() -> dict[str, Any]:
            doc = await advisory.trainings.schedule_event(
                Actor.of(principal),
                title=body.title,
                kind=body.kind,
                starts_at=body.starts_at,
                ends_at=body.ends_at,
                place=body.place,
                online_url=body.online_url,
                capacity=body.capacity,
                municipality=body.municipality,
                description=body.description,
            )
            return plain(doc, "scheduled_event_id")

        return await run(do())

    @router.get("/api/v1/events/{event_id}", summary="One training or forum")
    async def get_event(event_id: str, advisory: AdvisoryDep, principal: StaffPrincipal = work) -> Any:
        async def do() -> dict[str, Any]:
            return plain(await advisory.views.scheduled_event(event_id), "scheduled_event_id")

        return await run(do())

    @router.get("/api/v1/events/{event_id}/registrations", summary="Who signed up (confirmed, then waiting list)")
    async def event_registrations(event_id: str, advisory: AdvisoryDep, principal: StaffPrincipal = work) -> Any:
        async def do() -> list[dict[str, Any]]:
            await advisory.views.scheduled_event(event_id)  # 404 for an unknown event
            return [plain(r, "registration_id") for r in await advisory.views.registrations(event_id)]

        return await run(do())

    @router.post("/api/v1/events/{event_id}/attendance", summary="Record attendance")
    async def attendance(
        event_id: str, body: AttendanceIn, advisory: AdvisoryDep, principal: StaffPrincipal = work
    ) -> Any:
        async def do() -> dict[str, Any]:
            doc = await advisory.trainings.record_attendance(
                Actor.of(principal),
                event_id,
                participants_total=body.participants_total,
                women=body.women,
                men=body.men,
                other=body.other,
                not_told=body.not_told,
                organisations=body.organisations,
            )
            return plain(doc, "scheduled_event_id")

        return await run(do())

    # -- staff accounts ----------------------------------------------------------------------------------
    @router.get("/api/v1/staff", summary="Staff accounts")
    async def list_staff(advisory: AdvisoryDep, principal: StaffPrincipal = work) -> list[dict[str, Any]]:
        return [_staff_out(s) for s in await advisory.views.staff()]

    @router.post("/api/v1/staff", summary="Create a staff account (admin)", status_code=201)
    async def create_staff(body: StaffIn, advisory: AdvisoryDep, principal: StaffPrincipal = admin) -> Any:
        async def do() -> dict[str, Any]:
            return _staff_out(
                await advisory.staff.create_staff(
                    Actor.of(principal),
                    email=body.email,
                    name=body.name,
                    roles=body.roles,
                    password=body.password,
                    language=body.language,
                )
            )

        return await run(do())

    @router.patch("/api/v1/staff/{staff_id}", summary="Change a staff account (admin)")
    async def update_staff(
        staff_id: str, body: StaffPatch, advisory: AdvisoryDep, principal: StaffPrincipal = admin
    ) -> Any:
        async def do() -> dict[str, Any]:
            return _staff_out(
                await advisory.staff.update_staff(
                    Actor.of(principal),
                    staff_id,
                    name=body.name,
                    roles=body.roles,
                    active=body.active,
                    password=body.password,
                    language=body.language,
                )
            )

        return await run(do())

    return router
