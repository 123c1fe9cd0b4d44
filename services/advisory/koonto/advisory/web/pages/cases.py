"""One case: its page (timeline, forms) and the forms' posts. A refused post shows the case again with the
message next to the field; every other post redirects back to the case (303)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from functools import partial

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from starlette.datastructures import FormData

from koonto.advisory.bootstrap import AdvisoryContainer, Deps
from koonto.advisory.domain.actor import Actor
from koonto.advisory.domain.lifecycle import TransitionRequest, allowed_targets
from koonto.advisory.domain.results import CONSENT_STATEMENT, LANGUAGES, publishable, stages_reached
from koonto.advisory.web.deps import PageWork
from koonto.advisory.web.labels import AMENDED_FIELDS, ENTRY_LABELS, SESSION_KIND_LABELS, SLOT_KIND_LABELS
from koonto.advisory.web.pages.board import staff_names
from koonto.advisory.web.pages.common import FRESH, PREFIX, Act, Fresh, done, render, submit
from koonto.advisory.web.pages.fields import (
    Fields,
    checked,
    commas,
    count,
    day,
    integer,
    moment,
    optional,
    posting,
    read,
    text,
)
from koonto.advisory.web.pages.partners import partner_context
from koonto.advisory.web.serialize import timeline
from koonto.shared.auth import StaffPrincipal
from koonto.shared.clock import HELSINKI
from koonto.shared.contracts.intake import ATTACHMENT_KINDS
from koonto.shared.mongo import Document

router = APIRouter(prefix=PREFIX, include_in_schema=False)


TRANSITION_FORM: Fields = {  # besides the target stage ("to")
    "reason": optional,
    "call_id": optional,
    "amount_applied_eur": integer,
    "amount_granted_eur": integer,
    "public_summary": optional,
}
SESSION_FORM: Fields = {
    "kind": text,
    "started_at": moment,
    "duration_minutes": count,
    "topics": commas,
    "note": optional,
}
FOLLOWUP_FORM: Fields = {"due_on": day, "note": optional, "assignee_id": optional}
RESULTS_FORM: Fields = {  # the public results, per language; the photo and link addresses; the consent
    **{f"{name}_{lang}": optional for lang in LANGUAGES for name in ("summary", "outcomes", "photo_alt", "link_text")},
    "photo_url": optional,
    "link_url": optional,
    "consent": checked,
}


def results_values(case: Document) -> dict[str, str]:
    """The published results as the form's values, so that an update starts from what is shown."""
    published = case.get("results") or {}
    values = {name: published.get(name) or "" for name in ("photo_url", "link_url")}
    for lang in LANGUAGES:
        text = published.get(lang) or {}
        for name in ("summary", "photo_alt", "link_text"):
            values[f"{name}_{lang}"] = text.get(name) or ""
        values[f"outcomes_{lang}"] = "\n".join(text.get("outcomes") or ())
    return values


@router.get("/cases/{case_id}")
async def case_page(
    request: Request, advisory: Deps, case_id: str, principal: PageWork, shown: Fresh = FRESH
) -> HTMLResponse:
    case = await advisory.views.case(case_id)
    staff = await advisory.views.staff()
    call = await advisory.views.find_call(case["call_id"]) if case.get("call_id") else None
    return render(
        request,
        "case.html",
        page_title=case["reference"],
        case=case,
        timeline=timeline(case),
        allowed=allowed_targets(case["stage"]),
        call=call,
        calls=await advisory.views.calls(),
        staff_names=staff_names(staff),
        advisors=[s for s in staff if s.get("active") and {"advisor", "coordinator", "admin"} & set(s["roles"])],
        followups=await advisory.views.followups(case_id=case_id),
        advice_bookings=await advisory.views.bookings_of_case(case),
        attachments_url=f"{str(advisory.settings.intake_public_url).rstrip('/')}/attachments/{case['idea_id']}",
        attachment_kinds=ATTACHMENT_KINDS,
        slot_kinds=SLOT_KIND_LABELS,
        session_kinds=SESSION_KIND_LABELS,
        entry_labels=ENTRY_LABELS,
        amended_fields=AMENDED_FIELDS,
        now_local=advisory.clock.now().astimezone(HELSINKI).strftime("%Y-%m-%dT%H:%M"),
        results_open=publishable(case["stage"], stages_reached(case)),
        results_languages=LANGUAGES,
        results_values=results_values(case),
        consent_statement=CONSENT_STATEMENT,
        **await partner_context(request, advisory, case),
        **shown.context(),
    )


async def case_action(
    request: Request,
    advisory: AdvisoryContainer,
    case_id: str,
    principal: StaffPrincipal,
    what: str,
    act: Act,
    anchor: str = "#timeline",
) -> Response:
    """A post on the case: back to the case's `anchor`, or the case again with the refusal."""
    return await submit(
        request,
        principal,
        act,
        field="to",
        statuses=(403, 409, 422),
        again=partial(case_page, request, advisory, case_id, principal),
        then=done(f"/cases/{case_id}", what, anchor),
    )


@router.post("/cases/{case_id}/transition")
async def transition(request: Request, case_id: str, advisory: Deps, principal: PageWork) -> Response:
    def act(actor: Actor, form: FormData) -> Awaitable[object]:
        move = TransitionRequest(target=text(form, "to"), **read(form, TRANSITION_FORM))
        return advisory.cases.transition(actor, case_id, move)

    return await case_action(request, advisory, case_id, principal, "moved", act)


@dataclass(frozen=True)
class CaseForm:
    """One of the case page's forms: the use case it is posted to (`use_case(actor, case_id, **fields)`), its
    fields, the notice shown after it and where on the case page it returns."""

    use_case: Callable[[AdvisoryContainer], Callable[..., Awaitable[object]]]
    fields: Fields
    notice: str
    anchor: str = "#timeline"


CASE_FORMS: dict[str, CaseForm] = {  # POST /cases/{case_id}/<name>
    "sessions": CaseForm(lambda advisory: advisory.sessions.log_session, SESSION_FORM, "session"),
    "notes": CaseForm(lambda advisory: advisory.sessions.add_note, {"text": text}, "note"),
    "messages": CaseForm(lambda advisory: advisory.sessions.message_association, {"body": text}, "message"),
    "assignment": CaseForm(lambda advisory: advisory.cases.assign, {"advisor_id": text}, "assigned"),
    "followups": CaseForm(lambda advisory: advisory.followups.add_followup, FOLLOWUP_FORM, "followup", "#followup"),
    "introductions": CaseForm(
        lambda advisory: advisory.partners.introduce, {"other_case_id": text}, "introduced", "#partners"
    ),
    "results": CaseForm(lambda advisory: advisory.results.publish, RESULTS_FORM, "results", "#results"),
    "results/withdrawal": CaseForm(lambda advisory: advisory.results.withdraw, {}, "results-withdrawn", "#results"),
}


def _case_form(form: CaseForm) -> Callable[..., Awaitable[Response]]:
    async def post(request: Request, case_id: str, advisory: Deps, principal: PageWork) -> Response:
        act = posting(form.use_case(advisory), form.fields, case_id)
        return await case_action(request, advisory, case_id, principal, form.notice, act, form.anchor)

    return post


for _name, _form in CASE_FORMS.items():  # one route a form, so an unknown one is a 404 like any unknown path
    router.add_api_route(f"/cases/{{case_id}}/{_name}", _case_form(_form), methods=["POST"], name=f"case_{_name}")
