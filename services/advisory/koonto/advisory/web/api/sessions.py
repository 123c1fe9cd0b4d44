"""A case's conversation: advice sessions, internal notes and messages to the association."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter
from pydantic import Field

from koonto.advisory.bootstrap import Deps
from koonto.advisory.domain.actor import Actor
from koonto.advisory.web.api.common import Body
from koonto.advisory.web.deps import ApiWork

router = APIRouter(tags=["advisory"])


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


@router.post("/api/v1/cases/{case_id}/sessions", summary="Log an advice session", status_code=201)
async def log_session(case_id: str, body: SessionIn, advisory: Deps, principal: ApiWork) -> Any:
    return await advisory.sessions.log_session(Actor.of(principal), case_id, **body.model_dump())


@router.post("/api/v1/cases/{case_id}/notes", summary="Add an internal note", status_code=201)
async def add_note(case_id: str, body: NoteIn, advisory: Deps, principal: ApiWork) -> Any:
    return await advisory.sessions.add_note(Actor.of(principal), case_id, body.text)


@router.post("/api/v1/cases/{case_id}/messages", summary="Write to the association", status_code=201)
async def message(case_id: str, body: MessageIn, advisory: Deps, principal: ApiWork) -> Any:
    return await advisory.sessions.message_association(Actor.of(principal), case_id, body.body)
