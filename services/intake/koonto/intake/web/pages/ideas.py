"""The idea form: fill in, check your answers, send; the receipt."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response

from koonto.intake.bootstrap import IntakeContainer
from koonto.intake.domain.attachments import Refusal
from koonto.intake.domain.errors import LinkRefused
from koonto.intake.domain.ideas import (
    CHANNELS,
    LANGUAGES,
    ORGANISATION_TYPES,
    IdeaDraft,
    draft_address,
    validate_idea,
)
from koonto.intake.domain.identifiers import display_phone
from koonto.intake.domain.messages import N_, FieldErrors, Message
from koonto.intake.domain.reference import format_reference
from koonto.intake.web.deps import FILE_FIELD, IDEA_CHECKBOXES, Deps, RateLimit, read_form_with_files
from koonto.intake.web.pages.forms import PublicForm, lookup, municipality_name, theme_names
from koonto.shared.clock import helsinki
from koonto.shared.i18n import current_language
from koonto.shared.pages import rooted, see_other

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
    fields, the upload its files belong to, and whether the sender is suspected of being a bot (too fast, no
    valid stamp)."""

    draft: IdeaDraft | None
    values: dict[str, Any]
    page: dict[str, str]
    upload_id: str
    answer: Response | None = None
    suspected: bool = False


async def show_form(
    request: Request,
    deps: IntakeContainer,
    values: dict[str, Any],
    errors: FieldErrors,
    upload_id: str,
    *,
    status: int = 200,
    confirm: bool = False,
    resumed: dict[str, Any] | None = None,
) -> Response:
    """The idea form with the files already attached to this filling of it (a file input cannot be refilled)."""
    return IDEA_FORM.show(
        request,
        deps,
        values,
        errors,
        status=status,
        confirm=confirm,
        files=await deps.uploads.files(upload_id),
        upload_token=deps.uploads.token(upload_id),
        resumed=resumed,
        limits=deps.uploads.limits(),
        draft_days=deps.settings.draft_max_age_days,
    )


async def _read_idea(request: Request, deps: IntakeContainer, *, may_edit: bool = False) -> IdeaPost:
    """The posted idea: the honeypot gets the ordinary thanks (and is dropped), a mistake the form; a suspected
    bot is told so only by what comes next (a confirm stamp; on the last step, the check page again). Files are
    stored first, so a refused one (named in the form's errors) loses nothing of the rest."""
    posted = await read_form_with_files(request, deps.settings.max_body_bytes, IDEA_CHECKBOXES)
    values, page = posted.values, posted.page
    upload_id = deps.uploads.upload_id(page.get("upload_token"))
    if may_edit and page.get("action") == "edit":  # "change your answers" on the check step
        return IdeaPost(None, values, page, upload_id, await show_form(request, deps, values, {}, upload_id))
    verdict = await deps.abuse.verdict("idea", page)
    if verdict == "drop":
        return IdeaPost(None, values, page, upload_id, see_other(request, THANKS))
    suspected = verdict == "confirm"
    if posted.remove:
        await deps.uploads.remove(upload_id, posted.remove)
    refused = await deps.uploads.accept(upload_id, posted.files) if posted.files else []
    file_errors: FieldErrors = {FILE_FIELD: Several(refused)} if refused else {}
    if page.get("action") == "draft" and suspected:  # no mail for a sender that may be a bot: confirm first
        again = await show_form(request, deps, values, file_errors, upload_id, status=422, confirm=True)
        return IdeaPost(None, values, page, upload_id, again)
    if page.get("action") == "draft":
        return IdeaPost(None, values, page, upload_id, await _save_draft(request, deps, values, upload_id, file_errors))
    draft, errors = validate_idea(values, deps.region, default_language=current_language())
    if draft is None or file_errors or posted.remove:  # a removal shows the form again, with the list changed
        again = await show_form(
            request,
            deps,
            values,
            {**(errors if draft is None else {}), **file_errors},
            upload_id,
            status=422 if draft is None or file_errors else 200,
            confirm=suspected,
        )
        return IdeaPost(None, values, page, upload_id, again)
    return IdeaPost(draft, values, page, upload_id, suspected=suspected)


@dataclass(frozen=True)
class Several(Message):
    """The messages of the files refused in one post, as one text next to the file input."""

    msgid: str = ""
    refusals: tuple[Refusal, ...] = ()

    def __init__(self, refusals: list[Refusal]) -> None:
        object.__setattr__(self, "msgid", refusals[0].message)
        object.__setattr__(self, "params", {})
        object.__setattr__(self, "refusals", tuple(refusals))

    def render(self, translate: Any) -> str:
        return " ".join(translate(r.message).format(**r.values) for r in self.refusals)


async def _save_draft(
    request: Request, deps: IntakeContainer, values: dict[str, Any], upload_id: str, file_errors: FieldErrors
) -> Response:
    """Saving needs only an address to mail the resume link to; the other answers may be unfinished."""
    email, errors = draft_address(values)
    if email is None or file_errors:
        return await show_form(request, deps, values, {**errors, **file_errors}, upload_id, status=422)
    language = str(lookup(values, "contact.language") or current_language())
    language = language if language in LANGUAGES else current_language()
    await deps.uploads.save_draft(upload_id, values, email, language)
    expires = deps.clock() + timedelta(days=deps.settings.draft_max_age_days)
    return deps.pages.render(
        request, "draft_saved.html", page_title=deps.t(N_("Luonnos tallennettu")), email=email, expires_at=expires
    )


async def _check_page(request: Request, deps: IntakeContainer, post: IdeaPost, *, confirm: bool = False) -> Response:
    """The check step; for a suspected sender with a confirm stamp (and, when `confirm`, a note saying why)."""
    files = await deps.uploads.files(post.upload_id)
    draft = post.draft
    assert draft is not None
    form_token = deps.abuse.stamp("idea", confirm=True) if post.suspected else post.page.get("form_token", "")
    return deps.pages.render(
        request,
        "idea_check.html",
        page_title=deps.t(N_("Tarkista vastauksesi")),
        draft=draft,
        phone_display=display_phone(draft.contact.get("phone")),
        hidden=_hidden_fields(post.values),
        form_token=form_token,
        confirm=confirm,
        files=files,
        upload_token=deps.uploads.token(post.upload_id),
        municipality_name=municipality_name(
            deps.region, draft.organisation["municipality"], draft.organisation.get("municipality_other")
        ),
        theme_names=theme_names(deps.region, draft.themes),
        organisation_type=deps.t(ORGANISATION_TYPES[draft.organisation["type"]]),
        channel_name=deps.t(CHANNELS[draft.contact["channel"]]),
        language_name=LANGUAGES[draft.contact["language"]],
    )


@router.get("/ideas/new")
async def idea_form(request: Request, deps: Deps) -> Response:
    values = {"contact": {"language": current_language(), "channel": "email"}}
    return await show_form(request, deps, values, {}, deps.uploads.upload_id(None))


@router.get("/ideas/draft/{token}")
async def resume_draft(token: str, request: Request, deps: Deps) -> Response:
    """A saved draft's resume link: the form as it was left, or a clear page when the draft is gone."""
    try:
        draft = await deps.uploads.resume(token)
    except LinkRefused as refused:
        status = 403 if refused.verdict == "invalid" else 410
        return deps.pages.render(
            request,
            "draft_gone.html",
            status_code=status,
            page_title=deps.t(N_("Luonnosta ei voi avata")),
            verdict=refused.verdict,
            max_age_days=deps.settings.draft_max_age_days,
        )
    resumed = {"expires_at": datetime.fromtimestamp(int(draft["expires_ms"]) / 1000, UTC)}
    return await show_form(request, deps, draft.get("values") or {}, {}, draft["_id"], resumed=resumed)


@router.post("/ideas/new", dependencies=[RateLimit])
async def idea_check(request: Request, deps: Deps) -> Response:
    post = await _read_idea(request, deps)
    if post.answer is not None:
        return post.answer
    return await _check_page(request, deps, post)  # the check step is itself the confirmation a suspected sender needs


@router.post("/ideas/confirm", dependencies=[RateLimit])
async def idea_submit(request: Request, deps: Deps) -> Response:
    post = await _read_idea(request, deps, may_edit=True)
    if post.answer is not None:
        return post.answer
    if post.suspected:  # nothing stored, nothing claimed: the check page again, to send from
        return await _check_page(request, deps, post, confirm=True)
    assert post.draft is not None
    attachments = await deps.uploads.metadata(post.upload_id)
    submission = await deps.ideas.submit(post.draft, upload_id=post.upload_id, attachments=attachments)
    await deps.uploads.sent(post.upload_id, submission.idea_id)
    token = submission.status_url.rsplit("/", 1)[-1]
    return see_other(request, f"/ideas/receipt/{token}")


@router.get("/ideas/receipt/{token}")
async def idea_receipt(token: str, request: Request, deps: Deps) -> Response:
    idea = await deps.views.idea_of_status_link(token)
    return deps.pages.render(
        request, "idea_receipt.html", page_title=deps.t(N_("Idea lähetetty")), reference=idea["reference"],
        status_url=rooted(request, f"/status/{token}"), email=(idea.get("contact") or {}).get("email", ""),
    )


@router.get(THANKS)
async def idea_thanks(request: Request, deps: Deps) -> Response:
    """The answer to a filled honeypot (dropped), and only to that: ordinary, with a plausible reference."""
    year = helsinki(deps.clock()).year
    fake = format_reference(deps.region.reference_prefix, year, random.randint(1, 999))  # noqa: S311
    return deps.pages.render(request, "idea_receipt.html", page_title=deps.t(N_("Idea lähetetty")),
                             reference=fake, status_url="", email="")
