"""Server-rendered staff pages (Finnish first; Swedish and English from the .po catalogues).

Every page needs a signed-in staff member: an anonymous request gets the login form with status 401, a wrong
role a 403 page. Every form carries `csrf_token`; a post without the right one is refused (403). Posts
redirect (303) to the page they came from, so reloading never repeats an action.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import date, datetime
from pathlib import Path
from typing import Any
from urllib.parse import quote

from fastapi import APIRouter, FastAPI, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.datastructures import FormData

from koonto.advisory.bootstrap import AdvisoryContainer
from koonto.advisory.domain.actor import Actor
from koonto.advisory.domain.errors import AdvisoryError, Throttled
from koonto.advisory.domain.lifecycle import STAGE_LABELS, STAGES, TransitionRequest, allowed_targets
from koonto.advisory.i18n import N_
from koonto.advisory.store import CaseFilter
from koonto.advisory.web.api import client_address
from koonto.advisory.web.deps import ADMIN, WORK, PageAuthError, get_advisory, page_staff
from koonto.advisory.web.errors import http_status, retry_after
from koonto.advisory.web.serialize import timeline
from koonto.shared.auth import CSRF_FIELD, SESSION_COOKIE, StaffPrincipal, check_csrf
from koonto.shared.bus import redrive
from koonto.shared.clock import HELSINKI, format_date
from koonto.shared.i18n import Catalogues, current_language
from koonto.shared.pages import SHARED_LOCALE, Pages

WEB_DIR = Path(__file__).parent
LOCALE_DIR = WEB_DIR.parent / "locale"
PREFIX = ""  # the proxy serves advisory under /staff/ and strips the prefix (docs/operations.md)
LOGIN_COOKIE = "koonto_login"

SESSION_KIND_LABELS = {
    "phone": N_("Puhelin"),
    "meeting": N_("Tapaaminen"),
    "video": N_("Videoyhteys"),
    "email": N_("Sähköposti"),
    "workshop": N_("Työpaja"),
}
EVENT_KIND_LABELS = {
    "training": N_("Koulutus"),
    "forum": N_("Foorumi"),
    "talk": N_("Puheenvuoro"),
    "workshop": N_("Työpaja"),
    "networking": N_("Verkostotilaisuus"),
}
ROLE_LABELS = {
    "admin": N_("Pääkäyttäjä"),
    "coordinator": N_("Koordinaattori"),
    "advisor": N_("Neuvoja"),
    "funder": N_("Rahoittaja"),
}
ENTRY_LABELS = {
    "opened": N_("Tapaus avattu"),
    "stage": N_("Vaihe vaihtui"),
    "session": N_("Neuvonta"),
    "note": N_("Muistiinpano"),
    "message": N_("Viesti yhdistykselle"),
    "assigned": N_("Vastuuhenkilö"),
    "followup": N_("Muistutus asetettu"),
    "amended": N_("Yhdistys täydensi tietoja"),
    "erased": N_("Yhteystiedot poistettu pyynnöstä"),
    "sla": N_("Ensimmäisen yhteydenoton määräaika ylittyi"),
}
NOTICE_LABELS = [
    ("opened", N_("Haku avautui")),
    ("closing_14", N_("14 päivää jäljellä")),
    ("closing_3", N_("3 päivää jäljellä")),
    ("closed", N_("Haku päättyi")),
]


def _isodate(value: str | None) -> str:
    if not value:
        return ""
    try:
        return format_date(date.fromisoformat(value))
    except ValueError:
        return value


def configure_pages(app: FastAPI, advisory: AdvisoryContainer) -> None:
    catalogues = Catalogues(SHARED_LOCALE, LOCALE_DIR)
    pages = Pages(WEB_DIR / "templates", catalogues, service="advisory")
    pages.env.filters["isodate"] = _isodate
    advisory.pages = pages
    app.mount("/static/advisory", StaticFiles(directory=WEB_DIR / "static"), name="advisory-static")

    @app.exception_handler(PageAuthError)
    async def page_auth(request: Request, exc: PageAuthError) -> Response:
        if exc.status_code == 401:
            wanted = request.url.path + (f"?{request.url.query}" if request.url.query else "")
            return login_page(request, next_path=wanted if request.method == "GET" else f"{PREFIX}/", status_code=401)
        return render(
            request,
            "message.html",
            status_code=403,
            reports_url=advisory.settings.reporting_url,
            heading=gettext(request, "Ei käyttöoikeutta"),
            text=gettext(request, "Roolisi ei salli tätä sivua. Kysy tarvittaessa pääkäyttäjältä."),
        )


def _pages(request: Request) -> Pages:
    pages = get_advisory(request).pages
    assert pages is not None, "configure_pages(app, container) first"
    return pages


def gettext(request: Request, message: str) -> str:
    """A message in the request's language (the shared middleware set it)."""
    return _pages(request).catalogues.gettext(message)


def render(request: Request, template: str, status_code: int = 200, **context: Any) -> HTMLResponse:
    pages = _pages(request)
    principal: StaffPrincipal | None = getattr(request.state, "principal", None)
    region = request.app.state.runtime.region
    language = current_language()

    def municipality_name(code: str | None) -> str:
        m = region.municipality(code or "")
        if m is None:
            return code or ""
        return m.name_sv if language == "sv" else m.name_fi

    def theme_names(codes: list[str]) -> str:
        by_code = {t.code: t for t in region.themes}
        return ", ".join(getattr(by_code[c], language, by_code[c].fi) if c in by_code else c for c in codes)

    context.setdefault("form", FormData())
    done = request.query_params.get("done")
    if "notice" not in context:
        context["notice"] = pages.catalogues.gettext(DONE_MESSAGES.get(done, N_("Tallennettu."))) if done else None
    return pages.render(
        request,
        template,
        status_code=status_code,
        staff=principal,
        csrf_token=principal.csrf_token if principal else "",
        municipality_name=municipality_name,
        theme_names=theme_names,
        labels=STAGE_LABELS,
        **context,
    )


DONE_MESSAGES = {
    "moved": N_("Vaihe vaihdettu."),
    "session": N_("Neuvonta kirjattu."),
    "note": N_("Muistiinpano tallennettu."),
    "message": N_("Viesti lähetetään yhdistykselle."),
    "assigned": N_("Vastuuhenkilö asetettu."),
    "followup": N_("Muistutus asetettu."),
    "call": N_("Haku tallennettu."),
    "event": N_("Tilaisuus julkaistu."),
    "attendance": N_("Osallistujat tallennettu."),
    "staff": N_("Käyttäjä tallennettu."),
    "redriven": N_("Viesti käsitelty uudelleen."),
    "failed": N_("Käsittely epäonnistui edelleen."),
    "done": N_("Muistutus kuitattu."),
}


def _login_csrf(request: Request, nonce: str) -> str:
    secret = request.app.state.runtime.settings.secret_key.encode()
    return hmac.new(secret, f"login:{nonce}".encode(), hashlib.sha256).hexdigest()[:40]


def _safe_next(value: str | None) -> str:
    """Only a path on this service: never another origin (`//host`, `/\\host`) after signing in."""
    if value and value.startswith("/") and not value.startswith(("//", "/\\")) and "\\" not in value:
        return value
    return "/"


def login_page(
    request: Request, *, next_path: str = "", status_code: int = 200, error: str = "", email: str = ""
) -> HTMLResponse:
    nonce = request.cookies.get(LOGIN_COOKIE) or secrets.token_urlsafe(24)
    request.state.principal = None
    response = render(
        request,
        "login.html",
        status_code=status_code,
        page_title=gettext(request, "Kirjaudu"),
        login_csrf=_login_csrf(request, nonce),
        next=_safe_next(next_path),
        login_error=error,
        email=email,
    )
    response.set_cookie(
        LOGIN_COOKIE,
        nonce,
        httponly=True,
        samesite="lax",
        path="/",
        secure=not request.app.state.runtime.settings.is_local,
    )
    return response


async def posted(request: Request, principal: StaffPrincipal) -> FormData:
    """The posted form, after checking its CSRF token against the session (403 when missing or wrong)."""
    await check_csrf(request, principal)
    return await request.form()


def done(path: str, what: str, anchor: str = "") -> RedirectResponse:
    return RedirectResponse(f"{path}?done={what}{anchor}", status_code=303)


def _int(form: FormData, name: str, *, required: bool = False) -> int | None:
    raw = str(form.get(name, "") or "").strip().replace(" ", "").replace("\u00a0", "")
    if not raw:
        if required:
            raise AdvisoryError("Kirjoita luku.", name)
        return None
    try:
        return int(raw)
    except ValueError:
        raise AdvisoryError("Kirjoita kokonaisluku.", name) from None


def _date(form: FormData, name: str) -> date:
    try:
        return date.fromisoformat(str(form.get(name, "")).strip())
    except ValueError:
        raise AdvisoryError("Anna päivämäärä.", name) from None


def _datetime(form: FormData, name: str, *, required: bool = True) -> datetime | None:
    raw = str(form.get(name, "") or "").strip()
    if not raw and not required:
        return None
    try:
        value = datetime.fromisoformat(raw)
    except ValueError:
        raise AdvisoryError("Anna päivä ja kellonaika.", name) from None
    return value if value.tzinfo else value.replace(tzinfo=HELSINKI)


def pages_router() -> APIRouter:
    router = APIRouter(prefix=PREFIX, include_in_schema=False)
    work = page_staff(*WORK)
    admin = page_staff(*ADMIN)
    coordinator = page_staff("coordinator")

    _t = gettext

    # -- signing in and out ------------------------------------------------------------------------------
    @router.get("/login")
    async def login_form(request: Request, next: str = "") -> HTMLResponse:
        return login_page(request, next_path=next)

    @router.post("/login")
    async def login(request: Request) -> Response:
        advisory = get_advisory(request)
        form = await request.form()
        email = str(form.get("email", ""))[:320]
        nonce = request.cookies.get(LOGIN_COOKIE, "")
        sent = str(form.get(CSRF_FIELD, ""))
        if not nonce or not hmac.compare_digest(sent, _login_csrf(request, nonce)):
            return login_page(
                request,
                status_code=403,
                email=email,
                next_path=str(form.get("next", "")),
                error=_t(request, "Lomakkeen tarkiste puuttuu tai on vanhentunut. Yritä uudelleen."),
            )
        try:
            staff = await advisory.auth.authenticate(email, str(form.get("password", "")), client_address(request))
        except Throttled as exc:
            response = login_page(
                request,
                status_code=429,
                email=email,
                error=_t(request, exc.message),
                next_path=str(form.get("next", "")),
            )
            response.headers["Retry-After"] = retry_after(exc)
            return response
        except AdvisoryError as exc:
            return login_page(
                request,
                status_code=401,
                email=email,
                error=_t(request, exc.message),
                next_path=str(form.get("next", "")),
            )
        token = advisory.auth.issue_token(staff)
        signed_in = RedirectResponse(_safe_next(str(form.get("next", ""))), status_code=303)
        signed_in.set_cookie(
            SESSION_COOKIE,
            token,
            max_age=advisory.settings.staff_token_ttl_seconds,
            httponly=True,
            samesite="lax",
            secure=not advisory.settings.is_local,
            path="/",
        )
        signed_in.delete_cookie(LOGIN_COOKIE, path="/")
        return signed_in

    @router.post("/logout")
    async def logout(request: Request, principal: StaffPrincipal = page_staff()) -> Response:
        await posted(request, principal)
        response = RedirectResponse(f"{PREFIX}/login", status_code=303)
        response.delete_cookie(SESSION_COOKIE, path="/")
        return response

    # -- board -------------------------------------------------------------------------------------------
    @router.get("/")
    async def board(
        request: Request,
        q: str = "",
        municipality: str = "",
        advisor: str = "",
        call: str = "",
        theme: str = "",
        principal: StaffPrincipal = work,
    ) -> HTMLResponse:
        advisory = get_advisory(request)
        flt = CaseFilter(
            municipality=municipality or None,
            advisor_id=advisor or None,
            call_id=call or None,
            theme=theme or None,
            text=q or None,
        )
        cases = await advisory.views.cases(flt, limit=1000)
        by_stage: dict[str, list[dict[str, Any]]] = {}
        for c in cases:
            items = by_stage.setdefault(c["stage"], [])
            if len(items) < 50:
                items.append(c)
        staff = await advisory.views.staff()
        region = request.app.state.runtime.region
        language = current_language()
        return render(
            request,
            "board.html",
            page_title=_t(request, "Tapaukset"),
            flt=flt,
            stages=STAGES,
            counts=await advisory.views.count_by_stage(flt),
            by_stage=by_stage,
            staff_names={s["_id"]: s["name"] for s in staff},
            advisors=[s for s in staff if s.get("active") and {"advisor", "coordinator"} & set(s["roles"])],
            calls=await advisory.views.calls(),
            municipalities=[
                {"code": m.code, "name": m.name_sv if language == "sv" else m.name_fi} for m in region.municipalities
            ],
            themes=[{"code": t.code, "name": getattr(t, language, t.fi)} for t in region.themes],
            workload=await advisory.views.workload(),
        )

    # -- one case ----------------------------------------------------------------------------------------
    async def case_page(
        request: Request,
        case_id: str,
        *,
        errors: dict[str, str] | None = None,
        form: FormData | None = None,
        status_code: int = 200,
    ) -> HTMLResponse:
        advisory = get_advisory(request)
        try:
            case = await advisory.views.case(case_id)
        except AdvisoryError:
            raise HTTPException(404, "Tapausta ei löydy.") from None
        staff = await advisory.views.staff()
        call = await advisory.views.find_call(case["call_id"]) if case.get("call_id") else None
        now_local = advisory.clock.now().astimezone(HELSINKI).strftime("%Y-%m-%dT%H:%M")
        return render(
            request,
            "case.html",
            status_code=status_code,
            page_title=case["reference"],
            case=case,
            timeline=timeline(case),
            allowed=allowed_targets(case["stage"]),
            call=call,
            calls=await advisory.views.calls(),
            staff_names={s["_id"]: s["name"] for s in staff},
            advisors=[s for s in staff if s.get("active") and {"advisor", "coordinator", "admin"} & set(s["roles"])],
            followups=await advisory.views.followups(case_id=case_id),
            session_kinds=SESSION_KIND_LABELS,
            entry_labels=ENTRY_LABELS,
            now_local=now_local,
            errors=errors or {},
            form=form or FormData(),
        )

    @router.get("/cases/{case_id}")
    async def case_detail(request: Request, case_id: str, principal: StaffPrincipal = work) -> HTMLResponse:
        return await case_page(request, case_id)

    async def case_action(
        request: Request, case_id: str, principal: StaffPrincipal, what: str, anchor: str, action: Any
    ) -> Response:
        form = await posted(request, principal)
        try:
            await action(get_advisory(request), Actor.of(principal), form)
        except AdvisoryError as exc:
            if http_status(exc) == 404:
                raise HTTPException(404, "Tapausta ei löydy.") from None
            status = http_status(exc) if http_status(exc) in (403, 409, 422) else 422
            return await case_page(
                request, case_id, errors={exc.field or "to": _t(request, exc.message)}, form=form, status_code=status
            )
        return done(f"{PREFIX}/cases/{case_id}", what, anchor)

    @router.post("/cases/{case_id}/transition")
    async def transition(request: Request, case_id: str, principal: StaffPrincipal = work) -> Response:
        async def act(advisory: AdvisoryContainer, actor: Actor, form: FormData) -> None:
            await advisory.cases.transition(
                actor,
                case_id,
                TransitionRequest(
                    target=str(form.get("to", "")),
                    reason=str(form.get("reason", "")) or None,
                    call_id=str(form.get("call_id", "")) or None,
                    amount_applied_eur=_int(form, "amount_applied_eur"),
                    amount_granted_eur=_int(form, "amount_granted_eur"),
                    public_summary=str(form.get("public_summary", "")) or None,
                ),
            )

        return await case_action(request, case_id, principal, "moved", "#timeline", act)

    @router.post("/cases/{case_id}/sessions")
    async def session(request: Request, case_id: str, principal: StaffPrincipal = work) -> Response:
        async def act(advisory: AdvisoryContainer, actor: Actor, form: FormData) -> None:
            started = _datetime(form, "started_at")
            assert started is not None
            await advisory.sessions.log_session(
                actor,
                case_id,
                kind=str(form.get("kind", "")),
                started_at=started,
                duration_minutes=_int(form, "duration_minutes", required=True) or 0,
                topics=str(form.get("topics", "")).split(","),
                note=str(form.get("note", "")) or None,
            )

        return await case_action(request, case_id, principal, "session", "#timeline", act)

    @router.post("/cases/{case_id}/notes")
    async def note(request: Request, case_id: str, principal: StaffPrincipal = work) -> Response:
        async def act(advisory: AdvisoryContainer, actor: Actor, form: FormData) -> None:
            await advisory.sessions.add_note(actor, case_id, str(form.get("text", "")))

        return await case_action(request, case_id, principal, "note", "#timeline", act)

    @router.post("/cases/{case_id}/messages")
    async def message(request: Request, case_id: str, principal: StaffPrincipal = work) -> Response:
        async def act(advisory: AdvisoryContainer, actor: Actor, form: FormData) -> None:
            await advisory.sessions.message_association(actor, case_id, str(form.get("body", "")))

        return await case_action(request, case_id, principal, "message", "#timeline", act)

    @router.post("/cases/{case_id}/assignment")
    async def assignment(request: Request, case_id: str, principal: StaffPrincipal = work) -> Response:
        async def act(advisory: AdvisoryContainer, actor: Actor, form: FormData) -> None:
            await advisory.cases.assign(actor, case_id, str(form.get("advisor_id", "")))

        return await case_action(request, case_id, principal, "assigned", "#timeline", act)

    @router.post("/cases/{case_id}/followups")
    async def followup(request: Request, case_id: str, principal: StaffPrincipal = work) -> Response:
        async def act(advisory: AdvisoryContainer, actor: Actor, form: FormData) -> None:
            await advisory.followups.add_followup(
                actor,
                case_id,
                due_on=_date(form, "due_on"),
                note=str(form.get("note", "")) or None,
                assignee_id=str(form.get("assignee_id", "")) or None,
            )

        return await case_action(request, case_id, principal, "followup", "#followup", act)

    # -- follow-ups --------------------------------------------------------------------------------------
    @router.get("/followups")
    async def followups(request: Request, all: str = "", principal: StaffPrincipal = work) -> HTMLResponse:
        advisory = get_advisory(request)
        mine = not all
        staff = await advisory.views.staff()
        return render(
            request,
            "followups.html",
            page_title=_t(request, "Muistutukset"),
            mine=mine,
            followups=await advisory.views.followups(assignee_id=principal.staff_id if mine else None),
            staff_names={s["_id"]: s["name"] for s in staff},
            today=advisory.clock.today().isoformat(),
        )

    @router.post("/followups/{followup_id}/done")
    async def followup_done(request: Request, followup_id: str, principal: StaffPrincipal = work) -> Response:
        await posted(request, principal)
        try:
            await get_advisory(request).followups.complete_followup(Actor.of(principal), followup_id)
        except AdvisoryError as exc:
            raise HTTPException(http_status(exc), _t(request, exc.message)) from None
        return done(f"{PREFIX}/followups", "done")

    # -- funding calls -----------------------------------------------------------------------------------
    async def calls_page(
        request: Request, *, errors: dict[str, str] | None = None, form: FormData | None = None, status_code: int = 200
    ) -> HTMLResponse:
        advisory = get_advisory(request)
        return render(
            request,
            "calls.html",
            status_code=status_code,
            page_title=_t(request, "Rahoitushaut"),
            calls=await advisory.views.calls(),
            default_funder=request.app.state.runtime.region.funder,
            errors=errors or {},
            form=form or FormData(),
        )

    @router.get("/calls")
    async def calls(request: Request, principal: StaffPrincipal = work) -> HTMLResponse:
        return await calls_page(request)

    @router.post("/calls")
    async def create_call(request: Request, principal: StaffPrincipal = work) -> Response:
        form = await posted(request, principal)
        try:
            await get_advisory(request).calls.create_call(
                Actor.of(principal),
                name=str(form.get("name", "")),
                funder=str(form.get("funder", "")),
                opens_on=_date(form, "opens_on"),
                closes_on=_date(form, "closes_on"),
                budget_eur=_int(form, "budget_eur"),
                url=str(form.get("url", "")).strip() or None,
                description=str(form.get("description", "")),
            )
        except AdvisoryError as exc:
            return await calls_page(
                request, errors={exc.field or "name": _t(request, exc.message)}, form=form, status_code=422
            )
        return done(f"{PREFIX}/calls", "call")

    @router.get("/calls/{call_id}")
    async def call_detail(request: Request, call_id: str, principal: StaffPrincipal = work) -> HTMLResponse:
        advisory = get_advisory(request)
        try:
            call = await advisory.views.call(call_id)
        except AdvisoryError:
            raise HTTPException(404, "Hakua ei löydy.") from None
        return render(
            request,
            "call.html",
            page_title=call["name"],
            call=call,
            notice_labels=NOTICE_LABELS,
            preparing=await advisory.views.preparing_cases_for_call(call_id),
        )

    # -- trainings and forums ----------------------------------------------------------------------------
    def _municipalities(request: Request) -> list[dict[str, str]]:
        language = current_language()
        return [
            {"code": m.code, "name": m.name_sv if language == "sv" else m.name_fi}
            for m in request.app.state.runtime.region.municipalities
        ]

    async def events_page(
        request: Request, *, errors: dict[str, str] | None = None, form: FormData | None = None, status_code: int = 200
    ) -> HTMLResponse:
        advisory = get_advisory(request)
        return render(
            request,
            "events.html",
            status_code=status_code,
            page_title=_t(request, "Koulutukset ja foorumit"),
            events=await advisory.views.scheduled_events(),
            event_kinds=EVENT_KIND_LABELS,
            municipalities=_municipalities(request),
            errors=errors or {},
            form=form or FormData(),
        )

    @router.get("/events")
    async def events(request: Request, principal: StaffPrincipal = work) -> HTMLResponse:
        return await events_page(request)

    @router.post("/events")
    async def schedule_event(request: Request, principal: StaffPrincipal = work) -> Response:
        form = await posted(request, principal)
        try:
            starts = _datetime(form, "starts_at")
            assert starts is not None
            await get_advisory(request).trainings.schedule_event(
                Actor.of(principal),
                title=str(form.get("title", "")),
                kind=str(form.get("kind", "")),
                starts_at=starts,
                ends_at=_datetime(form, "ends_at", required=False),
                place=str(form.get("place", "")),
                online_url=str(form.get("online_url", "")),
                capacity=_int(form, "capacity", required=True) or 0,
                municipality=str(form.get("municipality", "")) or None,
                description=str(form.get("description", "")),
            )
        except AdvisoryError as exc:
            return await events_page(
                request, errors={exc.field or "title": _t(request, exc.message)}, form=form, status_code=422
            )
        return done(f"{PREFIX}/events", "event")

    async def event_page(
        request: Request,
        event_id: str,
        *,
        errors: dict[str, str] | None = None,
        form: FormData | None = None,
        status_code: int = 200,
    ) -> HTMLResponse:
        advisory = get_advisory(request)
        try:
            event = await advisory.views.scheduled_event(event_id)
        except AdvisoryError:
            raise HTTPException(404, "Tilaisuutta ei löydy.") from None
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
    async def event_detail(request: Request, event_id: str, principal: StaffPrincipal = work) -> HTMLResponse:
        return await event_page(request, event_id)

    @router.post("/events/{event_id}/attendance")
    async def attendance(request: Request, event_id: str, principal: StaffPrincipal = work) -> Response:
        form = await posted(request, principal)
        try:
            await get_advisory(request).trainings.record_attendance(
                Actor.of(principal),
                event_id,
                participants_total=_int(form, "participants_total", required=True) or 0,
                women=_int(form, "women") or 0,
                men=_int(form, "men") or 0,
                other=_int(form, "other") or 0,
                not_told=_int(form, "not_told"),
                organisations=str(form.get("organisations", "")).splitlines(),
            )
        except AdvisoryError as exc:
            if http_status(exc) == 404:
                raise HTTPException(404, "Tilaisuutta ei löydy.") from None
            return await event_page(
                request,
                event_id,
                errors={exc.field or "participants_total": _t(request, exc.message)},
                form=form,
                status_code=422,
            )
        return done(f"{PREFIX}/events/{event_id}", "attendance")

    # -- staff administration ----------------------------------------------------------------------------
    async def staff_page(
        request: Request, *, errors: dict[str, str] | None = None, form: FormData | None = None, status_code: int = 200
    ) -> HTMLResponse:
        return render(
            request,
            "staff.html",
            status_code=status_code,
            page_title=_t(request, "Käyttäjät"),
            people=await get_advisory(request).views.staff(),
            role_labels=ROLE_LABELS,
            errors=errors or {},
            form=form or FormData(),
        )

    @router.get("/staff")
    async def staff_list(request: Request, principal: StaffPrincipal = admin) -> HTMLResponse:
        return await staff_page(request)

    @router.post("/staff")
    async def staff_create(request: Request, principal: StaffPrincipal = admin) -> Response:
        form = await posted(request, principal)
        try:
            await get_advisory(request).staff.create_staff(
                Actor.of(principal),
                email=str(form.get("email", "")),
                name=str(form.get("name", "")),
                roles=[str(r) for r in form.getlist("roles")],
                password=str(form.get("password", "")),
                language=str(form.get("language", "fi")),
            )
        except AdvisoryError as exc:
            return await staff_page(
                request,
                errors={exc.field or "name": _t(request, exc.message)},
                form=form,
                status_code=http_status(exc) if http_status(exc) in (409, 422) else 422,
            )
        return done(f"{PREFIX}/staff", "staff")

    @router.get("/staff/{staff_id}")
    async def staff_edit(request: Request, staff_id: str, principal: StaffPrincipal = admin) -> HTMLResponse:
        person = await get_advisory(request).views.staff_member(staff_id)
        if person is None:
            raise HTTPException(404, "Käyttäjää ei löydy.")
        return render(request, "staff_edit.html", page_title=person["name"], person=person, role_labels=ROLE_LABELS)

    @router.post("/staff/{staff_id}")
    async def staff_update(request: Request, staff_id: str, principal: StaffPrincipal = admin) -> Response:
        form = await posted(request, principal)
        advisory = get_advisory(request)
        try:
            await advisory.staff.update_staff(
                Actor.of(principal),
                staff_id,
                name=str(form.get("name", "")) or None,
                roles=[str(r) for r in form.getlist("roles")],
                active=form.get("active") == "1",
                password=str(form.get("password", "")) or None,
            )
        except AdvisoryError as exc:
            person = await advisory.views.staff_member(staff_id)
            if person is None:
                raise HTTPException(404, "Käyttäjää ei löydy.") from None
            return render(
                request,
                "staff_edit.html",
                status_code=http_status(exc) if http_status(exc) in (409, 422) else 422,
                page_title=person["name"],
                person=person,
                role_labels=ROLE_LABELS,
                errors={exc.field or "name": _t(request, exc.message)},
            )
        return done(f"{PREFIX}/staff/{quote(staff_id)}", "staff")

    # -- dead letters (the JSON API is the shared /api/v1/dead-letters) ---------------------------------
    @router.get("/dead-letters")
    async def dead_letters(request: Request, principal: StaffPrincipal = coordinator) -> HTMLResponse:
        runtime = request.app.state.runtime
        return render(
            request,
            "dead_letters.html",
            page_title=_t(request, "Käsittelemättömät viestit"),
            letters=await runtime.dead_letters.list(None),
        )

    @router.post("/dead-letters/redrive")
    async def dead_letter_redrive(request: Request, principal: StaffPrincipal = coordinator) -> Response:
        form = await posted(request, principal)
        runtime = request.app.state.runtime
        try:
            outcome = await redrive(runtime.consumers, runtime.dead_letters, str(form.get("letter_id", "")))
        except KeyError:
            raise HTTPException(404, "Ei löytynyt.") from None
        return done(f"{PREFIX}/dead-letters", "redriven" if outcome == "redriven" else "failed")

    return router
