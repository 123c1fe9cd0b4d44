"""The idea form: fill in, check your answers, send; the receipt."""

from __future__ import annotations

import random
from dataclasses import dataclass
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from koonto.intake.bootstrap import IntakeContainer
from koonto.intake.domain.ideas import CHANNELS, LANGUAGES, ORGANISATION_TYPES, IdeaDraft, validate_idea
from koonto.intake.domain.identifiers import display_phone
from koonto.intake.domain.messages import N_
from koonto.intake.domain.reference import format_reference
from koonto.intake.web.deps import IDEA_CHECKBOXES, Deps, RateLimit, read_form
from koonto.intake.web.pages.forms import PublicForm, municipality_name, theme_names
from koonto.shared.clock import helsinki
from koonto.shared.i18n import current_language

router = APIRouter(include_in_schema=False)

THANKS = "/ideas/thanks"


IDEA_FORM = PublicForm("idea_form.html", stamp="idea", title=N_("Kerro hankeideastanne"))


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


@dataclass
class IdeaPost:
    """A posted idea form: the draft (None when `answer` is the page to show instead), the answers, the page-only
    fields, and whether the sender is suspected of being a bot (too fast, no valid stamp)."""

    draft: IdeaDraft | None
    values: dict[str, Any]
    page: dict[str, str]
    answer: Response | None = None
    suspected: bool = False


async def _read_idea(request: Request, deps: IntakeContainer, *, may_edit: bool = False) -> IdeaPost:
    """The posted idea: the honeypot gets the ordinary thanks (and is dropped), a mistake the form; a suspected
    bot is told so only by what comes next (a confirm stamp; on the last step, the check page again)."""
    values, page = await read_form(request, deps.settings.max_body_bytes, IDEA_CHECKBOXES)
    if may_edit and page.get("action") == "edit":  # "change your answers" on the check step
        return IdeaPost(None, values, page, IDEA_FORM.show(request, deps, values, {}))
    verdict = await deps.abuse.verdict("idea", page)
    if verdict == "drop":
        return IdeaPost(None, values, page, RedirectResponse(THANKS, status_code=303))
    suspected = verdict == "confirm"
    draft, errors = validate_idea(values, deps.region, default_language=current_language())
    if draft is None:
        again = IDEA_FORM.show(request, deps, values, errors, status=422, confirm=suspected)
        return IdeaPost(None, values, page, again)
    return IdeaPost(draft, values, page, suspected=suspected)


def _check_page(request: Request, deps: IntakeContainer, post: IdeaPost, *, confirm: bool = False) -> Response:
    """The check step; for a suspected sender with a confirm stamp (and, when `confirm`, a note saying why)."""
    draft = post.draft
    assert draft is not None
    form_token = deps.abuse.stamp("idea", confirm=True) if post.suspected else post.page.get("form_token", "")
    return deps.pages.render(
        request, "idea_check.html", page_title=deps.t(N_("Tarkista vastauksesi")), draft=draft,
        phone_display=display_phone(draft.contact.get("phone")),
        hidden=_hidden_fields(post.values), form_token=form_token, confirm=confirm,
        municipality_name=municipality_name(
            deps.region, draft.organisation["municipality"], draft.organisation.get("municipality_other")
        ),
        theme_names=theme_names(deps.region, draft.themes),
        organisation_type=deps.t(ORGANISATION_TYPES[draft.organisation["type"]]),
        channel_name=deps.t(CHANNELS[draft.contact["channel"]]), language_name=LANGUAGES[draft.contact["language"]],
    )


@router.get("/ideas/new")
async def idea_form(request: Request, deps: Deps) -> Response:
    return IDEA_FORM.show(request, deps, {"contact": {"language": current_language(), "channel": "email"}}, {})


@router.post("/ideas/new", dependencies=[RateLimit])
async def idea_check(request: Request, deps: Deps) -> Response:
    post = await _read_idea(request, deps)
    if post.answer is not None:
        return post.answer
    return _check_page(request, deps, post)  # the check step is itself the confirmation a suspected sender needs


@router.post("/ideas/confirm", dependencies=[RateLimit])
async def idea_submit(request: Request, deps: Deps) -> Response:
    post = await _read_idea(request, deps, may_edit=True)
    if post.answer is not None:
        return post.answer
    if post.suspected:  # nothing stored, nothing claimed: the check page again, to send from
        return _check_page(request, deps, post, confirm=True)
    assert post.draft is not None
    submission = await deps.ideas.submit(post.draft)
    token = submission.status_url.rsplit("/", 1)[-1]
    return RedirectResponse(f"/ideas/receipt/{token}", status_code=303)


@router.get("/ideas/receipt/{token}")
async def idea_receipt(token: str, request: Request, deps: Deps) -> Response:
    idea = await deps.views.idea_of_status_link(token)
    return deps.pages.render(
        request, "idea_receipt.html", page_title=deps.t(N_("Idea lähetetty")), reference=idea["reference"],
        status_url=f"/status/{token}", email=(idea.get("contact") or {}).get("email", ""),
    )


@router.get(THANKS)
async def idea_thanks(request: Request, deps: Deps) -> Response:
    """The answer to a filled honeypot (dropped), and only to that: ordinary, with a plausible reference."""
    year = helsinki(deps.clock()).year
    fake = format_reference(deps.region.reference_prefix, year, random.randint(1, 999))  # noqa: S311
    return deps.pages.render(request, "idea_receipt.html", page_title=deps.t(N_("Idea lähetetty")),
                             reference=fake, status_url="", email="")

