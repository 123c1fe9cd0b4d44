"""Newsletters for staff: compose (a plain form, no JavaScript), the campaign page with the number of
recipients, a preview in each language, a test to oneself, send now or at a time, and then its progress with
pause and resume. Composing and sending take the coordinator role; every staff member can follow progress."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from koonto.notify.domain.errors import NotFound
from koonto.notify.domain.newsletters import LANGUAGES, read_draft, read_send_time
from koonto.notify.web.deps import Coordinator, Deps, Staff, in_regions, visible_regions
from koonto.notify.web.pages.staff import render_staff
from koonto.shared.auth import StaffPrincipal, check_csrf
from koonto.shared.i18n import N_
from koonto.shared.mongo import Document

router = APIRouter(include_in_schema=False)
BASE = "/staff/newsletters"


def _sub_regions(deps: Deps) -> list[tuple[str, list[Any]]]:
    """The region's sub-regions, each with its municipalities, in the region file's order."""
    groups: dict[str, list[Any]] = {}
    for m in deps.core.region.municipalities:
        groups.setdefault(m.sub_region, []).append(m)
    return list(groups.items())


def _translated(deps: Deps, errors: dict[str, str]) -> dict[str, str]:
    """The form's errors in the page's language (the shared error summary takes its texts translated)."""
    return {field: deps.pages.catalogues.gettext(text) for field, text in errors.items()}


def _names(deps: Deps, codes: list[str] | None) -> list[str]:
    return [m.name_fi for m in deps.core.region.municipalities if codes and m.code in codes]


def _form_page(
    request: Request,
    deps: Deps,
    principal: StaffPrincipal,
    values: Document,
    errors: dict[str, str],
    action: str,
    status_code: int = 200,
) -> HTMLResponse:
    response = render_staff(
        request,
        deps,
        principal,
        "newsletter_form.html",
        page_title=N_("Uusi uutiskirje") if action == BASE else N_("Muokkaa uutiskirjettä"),
        values=values,
        errors=_translated(deps, errors),
        action=action,
        editions=LANGUAGES,
        sub_regions=_sub_regions(deps),
        themes=[(t.code, t.fi) for t in deps.core.region.themes],
    )
    response.status_code = status_code
    return response


def _values(form: Any) -> Document:
    """The form's answers as the template shows them again."""
    values: Document = {
        k: str(form.get(k) or "")
        for k in ("topic", *(f"{f}_{lang}" for lang in LANGUAGES for f in ("subject", "body")))
    }
    values["sub_regions"] = [str(v) for v in form.getlist("sub_regions")]
    values["municipalities"] = [str(v) for v in form.getlist("municipalities")]
    values["themes"] = [str(v) for v in form.getlist("themes")]
    return values


def _campaign_values(campaign: Document) -> Document:
    values: Document = {
        "topic": campaign["topic"],
        "sub_regions": campaign.get("sub_regions") or [],
        "municipalities": campaign.get("municipalities") or [],
        "themes": campaign.get("themes") or [],
    }
    for lang in LANGUAGES:
        edition = campaign["editions"].get(lang) or {}
        values[f"subject_{lang}"] = edition.get("subject", "")
        values[f"body_{lang}"] = edition.get("body", "")
    return values


async def _own(deps: Deps, principal: StaffPrincipal, campaign_id: str) -> Document:
    """The campaign, if it is of a region the coordinator works in; another region's is not found (404)."""
    campaign = await deps.newsletters.get(campaign_id)
    if not in_regions(campaign, visible_regions(deps, principal, "coordinator"), deps.core.infra.regions.home.code):
        raise NotFound(campaign_id)
    return campaign


@router.get(BASE, response_class=HTMLResponse)
async def newsletters(request: Request, deps: Deps, principal: Staff) -> HTMLResponse:
    home = deps.core.infra.regions.home.code
    items = await deps.views.newsletters(visible_regions(deps, principal), home)
    return render_staff(request, deps, principal, "newsletters.html", page_title="Uutiskirjeet", newsletters=items)


@router.get(f"{BASE}/new", response_class=HTMLResponse)
async def new_newsletter(request: Request, deps: Deps, principal: Coordinator) -> HTMLResponse:
    values = {"topic": "newsletter", "sub_regions": [], "municipalities": [], "themes": []}
    return _form_page(request, deps, principal, values, {}, BASE)


@router.post(BASE, response_class=HTMLResponse)
async def create_newsletter(request: Request, deps: Deps, principal: Coordinator) -> Response:
    await check_csrf(request, principal)
    form = await request.form()
    draft, errors = read_draft(form, deps.core.region)
    if draft is None:
        return _form_page(request, deps, principal, _values(form), errors, BASE, status_code=400)
    campaign_id = await deps.newsletters.create(draft, principal)
    return RedirectResponse(f"{BASE}/{campaign_id}", status_code=303)


@router.get(f"{BASE}/{{campaign_id}}", response_class=HTMLResponse)
async def newsletter(request: Request, campaign_id: str, deps: Deps, principal: Staff) -> HTMLResponse:
    return await _campaign_page(request, deps, principal, campaign_id, {})


async def _campaign_page(
    request: Request,
    deps: Deps,
    principal: StaffPrincipal,
    campaign_id: str,
    errors: dict[str, str],
    status_code: int = 200,
) -> HTMLResponse:
    home = deps.core.infra.regions.home.code
    campaign = await deps.views.newsletter(campaign_id, visible_regions(deps, principal), home)
    if campaign["status"] == "draft":  # the number as it is now, not when the draft was saved
        campaign["recipients"] = await deps.newsletters.audience_size(campaign)
    previews = deps.views.newsletter_previews(campaign, deps.newsletters.intake_url)
    refresh = campaign["shown_status"] in ("sending", "scheduled")
    response = render_staff(
        request,
        deps,
        principal,
        "newsletter.html",
        page_title=campaign["subject"],
        n=campaign,
        previews=previews,
        errors=_translated(deps, errors),
        refresh=refresh,
        segment=_names(deps, deps.newsletters.segment(campaign)),
        themes=[t.fi for t in deps.core.region.themes if t.code in (campaign.get("themes") or ())],
        sent_test=request.query_params.get("test") == "1",
        schedule=request.query_params,
    )
    response.status_code = status_code
    return response


@router.get(f"{BASE}/{{campaign_id}}/edit", response_class=HTMLResponse)
async def edit_newsletter(request: Request, campaign_id: str, deps: Deps, principal: Coordinator) -> HTMLResponse:
    campaign = await _own(deps, principal, campaign_id)
    return _form_page(request, deps, principal, _campaign_values(campaign), {}, f"{BASE}/{campaign_id}")


@router.post(f"{BASE}/{{campaign_id}}", response_class=HTMLResponse)
async def revise_newsletter(request: Request, campaign_id: str, deps: Deps, principal: Coordinator) -> Response:
    await check_csrf(request, principal)
    await _own(deps, principal, campaign_id)
    form = await request.form()
    draft, errors = read_draft(form, deps.core.region)
    if draft is None:
        return _form_page(request, deps, principal, _values(form), errors, f"{BASE}/{campaign_id}", 400)
    await deps.newsletters.revise(campaign_id, draft)
    return RedirectResponse(f"{BASE}/{campaign_id}", status_code=303)


@router.post(f"{BASE}/{{campaign_id}}/test", response_class=HTMLResponse)
async def send_test(request: Request, campaign_id: str, deps: Deps, principal: Coordinator) -> Response:
    await check_csrf(request, principal)
    await _own(deps, principal, campaign_id)
    language = str((await request.form()).get("language") or "fi")
    await deps.newsletters.send_test(campaign_id, principal, language if language in LANGUAGES else "fi")
    return RedirectResponse(f"{BASE}/{campaign_id}?test=1", status_code=303)


@router.post(f"{BASE}/{{campaign_id}}/schedule", response_class=HTMLResponse)
async def schedule(request: Request, campaign_id: str, deps: Deps, principal: Coordinator) -> Response:
    await check_csrf(request, principal)
    await _own(deps, principal, campaign_id)
    form = await request.form()
    at, error = read_send_time(str(form.get("day") or ""), str(form.get("time") or ""), deps.core.now())
    if at is None:
        return await _campaign_page(request, deps, principal, campaign_id, {"day": error or ""}, status_code=400)
    await deps.newsletters.schedule(campaign_id, at)
    return RedirectResponse(f"{BASE}/{campaign_id}", status_code=303)


def _action(name: str) -> Any:
    """A one-button action on a campaign (send now, cancel the schedule, pause, resume)."""

    async def act(request: Request, campaign_id: str, deps: Deps, principal: Coordinator) -> Response:
        await check_csrf(request, principal)
        await _own(deps, principal, campaign_id)
        await getattr(deps.newsletters, name)(campaign_id)
        return RedirectResponse(f"{BASE}/{campaign_id}", status_code=303)

    act.__name__ = f"newsletter_{name}"
    return act


for _path, _name in (("send", "send_now"), ("unschedule", "unschedule"), ("pause", "pause"), ("resume", "resume")):
    router.add_api_route(
        f"{BASE}/{{campaign_id}}/{_path}", _action(_name), methods=["POST"], response_class=HTMLResponse
    )
