"""Public pages: landing, idea form (with a check-your-answers step), status page, events, subscriptions.

Everything works without JavaScript. Forms follow the GOV.UK patterns: an error summary at the top linking
to each field, the message next to the field, values kept, a check step and a confirmation panel.
"""

from __future__ import annotations

import random
from datetime import date
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from koonto.intake.domain.amendments import validate_amendment
from koonto.intake.domain.ideas import CHANNELS, LANGUAGES, ORGANISATION_TYPES, validate_idea
from koonto.intake.domain.messages import N_, FieldErrors, Message
from koonto.intake.domain.reference import format_reference
from koonto.intake.domain.registrations import EVENT_KINDS, EVENT_UNKNOWN, validate_registration
from koonto.intake.domain.stages import MAIN_PATH, STAGE_EXPLANATIONS, stage_label
from koonto.intake.domain.subscriptions import TOPICS, validate_subscription
from koonto.intake.links import LinkSigner
from koonto.intake.service import EventNotOpen
from koonto.intake.web.common import (
    IDEA_CHECKBOXES,
    Intake,
    IntakeDep,
    RateLimit,
    field_id,
    read_body,
    read_form,
)
from koonto.shared.clock import as_utc, helsinki, helsinki_date, utcnow
from koonto.shared.i18n import current_language

router = APIRouter(include_in_schema=False)

LINK_INVALID = N_("Linkki ei kelpaa. Tarkista, että kopioit koko linkin sähköpostista.")
LINK_EXPIRED = N_("Linkki on vanhentunut.")
IDEA_NOT_FOUND = N_("Ideaa ei löytynyt.")
CSRF_FAILED = N_("Lomakkeen tarkiste ei täsmää. Avaa sivu uudelleen linkistä ja yritä uudelleen.")


# -- helpers -------------------------------------------------------------------------------------------------
def lookup(values: Any, path: str) -> Any:
    for part in path.split("."):
        if not isinstance(values, dict):
            return None
        values = values.get(part)
    return values


def form_context(intake: Intake, values: dict[str, Any], errors: FieldErrors) -> dict[str, Any]:
    """What every form template needs: values kept, messages per field, ids, and the choices."""
    texts = intake.errors_text(errors)
    lang = current_language()

    def val(path: str) -> str:
        value = lookup(values, path)
        if value is None or isinstance(value, bool):
            return ""
        if isinstance(value, list | tuple):
            return ", ".join(str(v) for v in value)
        return str(value)

    def chosen(path: str) -> list[str]:
        value = lookup(values, path)
        if isinstance(value, list | tuple):
            return [str(v) for v in value]
        return [str(value)] if value not in (None, "") else []

    region = intake.service.region
    return {
        "values": values, "errors": texts, "val": val, "chosen": chosen, "checked": lambda p: lookup(values, p) is True,
        "fid": field_id, "err": lambda p: texts.get(p, ""),
        "municipalities": [(m.code, m.name_sv if lang == "sv" else m.name_fi) for m in region.municipalities],
        "themes": [(t.code, getattr(t, lang, t.fi)) for t in region.themes],
        "organisation_types": [(k, intake.t(v)) for k, v in ORGANISATION_TYPES.items()],
        "language_choices": list(LANGUAGES.items()),
        "channels": [(k, intake.t(v)) for k, v in CHANNELS.items()],
        "topics": [(k, intake.t(v)) for k, v in TOPICS.items()],
    }


def new_form_token(intake: Intake, form: str) -> str:
    return intake.links.form.sign(form)


async def looks_like_a_bot(intake: Intake, form: str, page_fields: dict[str, str]) -> bool:
    """Honeypot filled, no valid form stamp, or sent faster than a person fills the form: counted, dropped."""
    reason = None
    if page_fields.get("website", "").strip():
        reason = "honeypot"
    else:
        token = page_fields.get("form_token", "")
        issued = intake.links.form.issued_at(token)
        if issued is None or intake.links.form.check(token).value != form:
            reason = "form_token"
        elif intake.links.form.now() - issued < intake.settings.min_fill_seconds:
            reason = "too_fast"
    if reason is None:
        return False
    await intake.service.count_bot(f"{form}:{reason}")
    return True


def _link(signer: LinkSigner, token: str) -> tuple[str, Any]:
    checked = signer.check(token)
    return checked.verdict, checked.value


def link_problem(request: Request, intake: Intake, verdict: str) -> Response:
    if verdict == "expired":
        return intake.pages.render(request, "problem.html", status_code=410, message=intake.t(LINK_EXPIRED),
                                   page_title=intake.t(LINK_EXPIRED), show_contact=True)
    if verdict == "missing":
        return intake.pages.render(request, "problem.html", status_code=404, message=intake.t(IDEA_NOT_FOUND),
                                   page_title=intake.t(IDEA_NOT_FOUND), show_contact=True)
    return intake.pages.render(request, "problem.html", status_code=403, message=intake.t(LINK_INVALID),
                               page_title=intake.t(LINK_INVALID), show_contact=True)


# -- landing and information pages ---------------------------------------------------------------------------
@router.get("/")
async def landing(request: Request, intake: IntakeDep) -> Response:
    today = helsinki_date(utcnow())
    calls = await intake.store.open_calls(today)
    for call in calls:
        call["closes"] = date.fromisoformat(call["closes_on"])
        call["days_left"] = (call["closes"] - today).days
    events = await intake.store.upcoming_events(utcnow(), limit=3)
    return intake.pages.render(request, "index.html", calls=calls, events=_events_view(intake, events))


@router.get("/privacy")
async def privacy(request: Request, intake: IntakeDep) -> Response:
    return intake.pages.render(request, "privacy.html", page_title=intake.t(N_("Tietosuojaseloste")))


@router.get("/accessibility")
async def accessibility(request: Request, intake: IntakeDep) -> Response:
    return intake.pages.render(request, "accessibility.html", page_title=intake.t(N_("Saavutettavuusseloste")))


# -- the idea form -------------------------------------------------------------------------------------------
def _idea_form(
    request: Request, intake: Intake, values: dict[str, Any], errors: FieldErrors, status: int = 200
) -> Response:
    return intake.pages.render(
        request, "idea_form.html", status_code=status, page_title=intake.t(N_("Kerro hankeideastanne")),
        form_token=new_form_token(intake, "idea"), **form_context(intake, values, errors),
    )


@router.get("/ideas/new")
async def idea_form(request: Request, intake: IntakeDep) -> Response:
    return _idea_form(request, intake, {"contact": {"language": current_language(), "channel": "email"}}, {})


@router.post("/ideas/new", dependencies=[RateLimit])
async def idea_check(request: Request, intake: IntakeDep) -> Response:
    values, page = await read_form(request, intake.settings.max_body_bytes, IDEA_CHECKBOXES)
    if await looks_like_a_bot(intake, "idea", page):
        return RedirectResponse("/ideas/thanks", status_code=303)
    draft, errors = validate_idea(values, intake.service.region, default_language=current_language())
    if draft is None:
        return _idea_form(request, intake, values, errors, status=422)
    lang = current_language()
    region = intake.service.region
    municipality = region.municipality(draft.organisation["municipality"])
    return intake.pages.render(
        request, "idea_check.html", page_title=intake.t(N_("Tarkista vastauksesi")), draft=draft,
        hidden=_hidden_fields(values), form_token=page.get("form_token", ""),
        municipality_name=(municipality.name_sv if lang == "sv" else municipality.name_fi) if municipality
        else draft.organisation.get("municipality_other"),
        theme_names=[getattr(t, lang, t.fi) for t in region.themes if t.code in draft.themes],
        organisation_type=intake.t(ORGANISATION_TYPES[draft.organisation["type"]]),
        channel_name=intake.t(CHANNELS[draft.contact["channel"]]), language_name=LANGUAGES[draft.contact["language"]],
    )


def _hidden_fields(values: dict[str, Any], prefix: str = "") -> list[tuple[str, str]]:
    """The answers as hidden inputs for the check step (lists repeat the name, booleans are 'yes')."""
    out: list[tuple[str, str]] = []
    for key, value in values.items():
        name = f"{prefix}{key}"
        if isinstance(value, dict):
            out += _hidden_fields(value, f"{name}.")
        elif isinstance(value, list):
            out += [(name, str(v)) for v in value]
        elif value is True:
            out.append((name, "yes"))
        elif value not in (None, False):
            out.append((name, str(value)))
    return out


@router.post("/ideas/confirm", dependencies=[RateLimit])
async def idea_submit(request: Request, intake: IntakeDep) -> Response:
    values, page = await read_form(request, intake.settings.max_body_bytes, IDEA_CHECKBOXES)
    if page.get("action") == "edit":
        return _idea_form(request, intake, values, {})
    if await looks_like_a_bot(intake, "idea", page):
        return RedirectResponse("/ideas/thanks", status_code=303)
    draft, errors = validate_idea(values, intake.service.region, default_language=current_language())
    if draft is None:
        return _idea_form(request, intake, values, errors, status=422)
    submission = await intake.service.submit_idea(draft)
    token = submission.status_url.rsplit("/", 1)[-1]
    return RedirectResponse(f"/ideas/receipt/{token}", status_code=303)


@router.get("/ideas/receipt/{token}")
async def idea_receipt(token: str, request: Request, intake: IntakeDep) -> Response:
    verdict, idea_id = _link(intake.links.status, token)
    if verdict != "ok":
        return link_problem(request, intake, verdict)
    idea = await intake.store.idea(idea_id)
    if idea is None:
        return link_problem(request, intake, "missing")
    return intake.pages.render(
        request, "idea_receipt.html", page_title=intake.t(N_("Idea lähetetty")), reference=idea["reference"],
        status_url=f"/status/{token}", email=(idea.get("contact") or {}).get("email", ""),
    )


@router.get("/ideas/thanks")
async def idea_thanks(request: Request, intake: IntakeDep) -> Response:
    """What an answer to a dropped (bot) submission looks like: ordinary, with a plausible reference."""
    year = helsinki(utcnow()).year
    fake = format_reference(intake.service.region.reference_prefix, year, random.randint(1, 999))  # noqa: S311
    return intake.pages.render(request, "idea_receipt.html", page_title=intake.t(N_("Idea lähetetty")),
                               reference=fake, status_url="", email="")


# -- the status page -----------------------------------------------------------------------------------------
async def _status_idea(
    request: Request, intake: Intake, token: str
) -> tuple[dict[str, Any] | None, Response | None]:
    verdict, idea_id = _link(intake.links.status, token)
    if verdict != "ok":
        return None, link_problem(request, intake, verdict)
    idea = await intake.store.idea(idea_id)
    if idea is None:
        return None, link_problem(request, intake, "missing")
    return idea, None


def _status_page(
    request: Request, intake: Intake, token: str, idea: dict[str, Any], *, values: dict[str, Any] | None = None,
    errors: FieldErrors | None = None, status: int = 200,
) -> Response:
    lang = current_language()
    region = intake.service.region
    stage = idea.get("stage") or "idea"
    municipality = region.municipality(idea["organisation"]["municipality"])
    if values is None:
        values = {"contact": dict(idea.get("contact") or {}), "description": idea.get("description", "")}
    return intake.pages.render(
        request, "status.html", status_code=status, page_title=intake.t(N_("Idean tila")), idea=idea, token=token,
        csrf_token=intake.links.status.csrf_for(token), stage=stage, stage_label=intake.t(stage_label(stage)),
        stage_explanation=intake.t(STAGE_EXPLANATIONS.get(stage, "")),
        stage_changed_at=as_utc(idea["stage_changed_at"]) if idea.get("stage_changed_at") else None,
        path_stages=[(s, intake.t(stage_label(s))) for s in MAIN_PATH], done=request.query_params.get("done", ""),
        submitted_at=as_utc(idea["submitted_at"]),
        erased_at=as_utc(idea["erased_at"]) if idea.get("erased_at") else None,
        municipality_name=(municipality.name_sv if lang == "sv" else municipality.name_fi) if municipality
        else idea["organisation"].get("municipality_other") or "",
        theme_names=[getattr(t, lang, t.fi) for t in region.themes if t.code in idea.get("themes", [])],
        **form_context(intake, values, errors or {}),
    )


@router.get("/status/{token}")
async def status_page(token: str, request: Request, intake: IntakeDep) -> Response:
    idea, problem = await _status_idea(request, intake, token)
    if problem:
        return problem
    assert idea is not None
    return _status_page(request, intake, token, idea)


@router.post("/status/{token}/amend")
async def amend(token: str, request: Request, intake: IntakeDep) -> Response:
    idea, problem = await _status_idea(request, intake, token)
    if problem:
        return problem
    assert idea is not None
    values, page = await read_form(request, intake.settings.max_body_bytes)
    if not intake.links.status.csrf_ok(token, page.get("csrf_token")):
        return intake.pages.render(request, "problem.html", status_code=403, message=intake.t(CSRF_FAILED))
    if idea.get("erased_at"):
        return RedirectResponse(f"/status/{token}", status_code=303)
    amendment, errors = validate_amendment(
        values, current_contact=idea.get("contact"), current_description=idea.get("description", ""),
        default_language=(idea.get("contact") or {}).get("language", "fi"),
    )
    if amendment is None:
        return _status_page(request, intake, token, idea, values=values, errors=errors, status=422)
    changed = await intake.service.amend_idea(idea, amendment)
    return RedirectResponse(f"/status/{token}?done={'amended' if changed else 'unchanged'}", status_code=303)


@router.get("/status/{token}/erase")
async def erase_confirm(token: str, request: Request, intake: IntakeDep) -> Response:
    idea, problem = await _status_idea(request, intake, token)
    if problem:
        return problem
    assert idea is not None
    return intake.pages.render(
        request, "erase.html", page_title=intake.t(N_("Poista henkilötietoni")), idea=idea, token=token,
        csrf_token=intake.links.status.csrf_for(token),
    )


@router.post("/status/{token}/erase")
async def erase(token: str, request: Request, intake: IntakeDep) -> Response:
    idea, problem = await _status_idea(request, intake, token)
    if problem:
        return problem
    assert idea is not None
    _, page = await read_form(request, intake.settings.max_body_bytes)
    if not intake.links.status.csrf_ok(token, page.get("csrf_token")):
        return intake.pages.render(request, "problem.html", status_code=403, message=intake.t(CSRF_FAILED))
    await intake.service.request_erasure(idea)
    return RedirectResponse(f"/status/{token}?done=erased", status_code=303)


# -- trainings and forums ------------------------------------------------------------------------------------
def _events_view(intake: Intake, events: list[dict[str, Any]]) -> list[dict[str, Any]]:
    region = intake.service.region
    out = []
    for e in events:
        municipality = region.municipality(e.get("municipality") or "")
        seats_left = max(0, int(e["capacity"]) - int(e.get("confirmed_count", 0)))
        out.append({
            **e, "starts_at": as_utc(e["starts_at"]), "kind_name": intake.t(EVENT_KINDS.get(e["kind"], e["kind"])),
            "municipality_name": municipality.name_fi if municipality else "", "seats_left": seats_left,
        })
    return out


@router.get("/events")
async def events(request: Request, intake: IntakeDep) -> Response:
    upcoming = await intake.store.upcoming_events(utcnow())
    return intake.pages.render(request, "events.html", page_title=intake.t(N_("Koulutukset ja foorumit")),
                               events=_events_view(intake, upcoming))


async def _open_event(intake: Intake, event_id: str) -> dict[str, Any] | None:
    event = await intake.store.scheduled_event(event_id)
    if event is None or event.get("held") or as_utc(event["starts_at"]) <= utcnow():
        return None
    return _events_view(intake, [event])[0]


def _registration_form(
    request: Request, intake: Intake, event: dict[str, Any], values: dict[str, Any], errors: FieldErrors,
    status: int = 200,
) -> Response:
    return intake.pages.render(
        request, "register.html", status_code=status, page_title=intake.t(N_("Ilmoittaudu")), event=event,
        form_token=new_form_token(intake, "registration"), **form_context(intake, values, errors),
    )


@router.get("/events/{event_id}/register")
async def registration_form(event_id: str, request: Request, intake: IntakeDep) -> Response:
    event = await _open_event(intake, event_id)
    if event is None:
        return intake.pages.render(request, "problem.html", status_code=404, message=intake.t(EVENT_UNKNOWN))
    return _registration_form(request, intake, event, {"participant": {"language": current_language()}}, {})


@router.post("/events/{event_id}/register", dependencies=[RateLimit])
async def register(event_id: str, request: Request, intake: IntakeDep) -> Response:
    event = await _open_event(intake, event_id)
    if event is None:
        return intake.pages.render(request, "problem.html", status_code=404, message=intake.t(EVENT_UNKNOWN))
    values, page = await read_form(request, intake.settings.max_body_bytes, ("consents.privacy_notice",))
    if await looks_like_a_bot(intake, "registration", page):
        return intake.pages.render(
            request, "registration_receipt.html", page_title=intake.t(N_("Ilmoittautuminen vastaanotettu")),
            event=event, status="confirmed", position=None,
        )
    values["scheduled_event_id"] = event_id
    draft, errors = validate_registration(values, intake.service.region, default_language=current_language())
    if draft is None:
        return _registration_form(request, intake, event, values, errors, status=422)
    try:
        registration, _ = await intake.service.register(draft)
    except EventNotOpen:
        return _registration_form(request, intake, event, values, {"scheduled_event_id": Message(EVENT_UNKNOWN)}, 422)
    return intake.pages.render(
        request, "registration_receipt.html", page_title=intake.t(N_("Ilmoittautuminen vastaanotettu")), event=event,
        status=registration["status"], position=registration.get("position_on_waitlist"),
    )


# -- subscriptions -------------------------------------------------------------------------------------------
def _subscribe_form(
    request: Request, intake: Intake, values: dict[str, Any], errors: FieldErrors, status: int = 200
) -> Response:
    return intake.pages.render(
        request, "subscribe.html", status_code=status, page_title=intake.t(N_("Tilaa tiedotteet")),
        form_token=new_form_token(intake, "subscription"), **form_context(intake, values, errors),
    )


@router.get("/subscribe")
async def subscribe_form(request: Request, intake: IntakeDep) -> Response:
    return _subscribe_form(request, intake, {"language": current_language()}, {})


@router.post("/subscribe", dependencies=[RateLimit])
async def subscribe(request: Request, intake: IntakeDep) -> Response:
    values, page = await read_form(request, intake.settings.max_body_bytes, ("consents.privacy_notice",))
    sent = intake.pages.render(request, "subscribe_sent.html", page_title=intake.t(N_("Tarkista sähköpostisi")))
    if await looks_like_a_bot(intake, "subscription", page):
        return sent
    draft, errors = validate_subscription(values, intake.service.region, default_language=current_language())
    if draft is None:
        return _subscribe_form(request, intake, values, errors, status=422)
    for topic in draft.topics:
        await intake.service.request_subscription(
            email=draft.email, topic=topic, language=draft.language, municipality=draft.municipality,
            source="subscription-form",
        )
    return sent


@router.get("/subscriptions/confirm/{token}")
async def confirm_page(token: str, request: Request, intake: IntakeDep) -> Response:
    verdict, _ = _link(intake.links.confirm, token)
    if verdict != "ok":
        return link_problem(request, intake, verdict)
    # a button, not a GET side effect: mail scanners that open links must not confirm on anyone's behalf
    return intake.pages.render(request, "confirm.html", page_title=intake.t(N_("Vahvista tilaus")), token=token,
                               csrf_token=intake.links.confirm.csrf_for(token))


@router.post("/subscriptions/confirm/{token}")
async def confirm(token: str, request: Request, intake: IntakeDep) -> Response:
    verdict, subscription_id = _link(intake.links.confirm, token)
    if verdict != "ok":
        return link_problem(request, intake, verdict)
    _, page = await read_form(request, intake.settings.max_body_bytes)
    if not intake.links.confirm.csrf_ok(token, page.get("csrf_token")):
        return intake.pages.render(request, "problem.html", status_code=403, message=intake.t(CSRF_FAILED))
    outcome = await intake.service.confirm_subscription(subscription_id)
    return intake.pages.render(request, "confirmed.html", status_code=404 if outcome == "gone" else 200,
                               page_title=intake.t(N_("Tilaus vahvistettu")), outcome=outcome)


@router.get("/subscriptions/unsubscribe/{token}")
async def unsubscribe_page(token: str, request: Request, intake: IntakeDep) -> Response:
    verdict, _ = _link(intake.links.unsubscribe, token)
    if verdict != "ok":
        return link_problem(request, intake, verdict)
    return intake.pages.render(request, "unsubscribe.html", page_title=intake.t(N_("Peru tilaus")), token=token)


@router.post("/subscriptions/unsubscribe/{token}")
async def unsubscribe(token: str, request: Request, intake: IntakeDep) -> Response:
    """RFC 8058 one-click: a POST with `List-Unsubscribe=One-Click`, no login, no CSRF token - the link is the proof."""
    verdict, subscription_id = _link(intake.links.unsubscribe, token)
    if verdict != "ok":
        return link_problem(request, intake, verdict)
    await read_body(request, intake.settings.max_body_bytes)
    outcome = await intake.service.cancel_subscription(subscription_id)
    return intake.pages.render(request, "unsubscribed.html", status_code=404 if outcome == "gone" else 200,
                               page_title=intake.t(N_("Tilaus peruttu")), outcome=outcome)
