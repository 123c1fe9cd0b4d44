"""What the API and the pages share: the container dependency, bounded body reading (`read_body` and `read_json`
from `koonto.shared.bodies`), form decoding, client identity and the rate limit."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Annotated, Any
from urllib.parse import parse_qsl

from fastapi import Depends, Request
from starlette.datastructures import UploadFile as StarletteUpload
from starlette.exceptions import HTTPException

from koonto.intake.bootstrap import IntakeContainer
from koonto.intake.domain.ideas import CONSENTS
from koonto.intake.use_cases.uploads import Upload
from koonto.intake.web.errors import RateLimited
from koonto.shared.bodies import BodyTooLarge, read_body, read_json
from koonto.shared.web import client_address, get_container

__all__ = ["Deps", "RateLimit", "field_id", "read_body", "read_form", "read_json"]

# names of the HTML form controls that are ticked boxes or lists, and what only the page itself adds
IDEA_CHECKBOXES = tuple(f"consents.{name}" for name in CONSENTS)
# the status page's amendment form: the consent to partner introductions, given or withdrawn there
AMENDMENT_CHECKBOXES = ("partner_introductions",)
BOOLEAN_FIELDS = {*IDEA_CHECKBOXES, *AMENDMENT_CHECKBOXES, "consents.participant_list"}  # + the registration form's
LIST_FIELDS = {"themes", "topics"}
PAGE_FIELDS = {"form_token", "website", "action", "csrf_token", "List-Unsubscribe", "upload_token"}
FILE_FIELD = "attachments"  # the idea form's <input type=file multiple>
REMOVE_FIELD = "remove_attachment"  # a ticked box per file to take off the list
MAX_FORM_FILES = 20


async def container(request: Request) -> IntakeContainer:
    """The service's container; a coroutine so that FastAPI does not run it in a worker thread per request."""
    return get_container(request)  # type: ignore[no-any-return]


Deps = Annotated[IntakeContainer, Depends(container)]


async def read_form(
    request: Request, limit: int, checkboxes: tuple[str, ...] = ()
) -> tuple[dict[str, Any], dict[str, str]]:
    """An urlencoded HTML form as (nested fields for the domain, page-only fields like the form token).

    A browser sends nothing for a box left unticked: each of `checkboxes` absent from the body is false, so
    that the answer is "not given" (a clear message on that box) rather than a whole group missing."""
    body = await read_body(request, limit)
    pairs = parse_qsl(body.decode("utf-8", errors="replace"), keep_blank_values=True, max_num_fields=200)
    return _nest(pairs, checkboxes)


@dataclass
class PostedForm:
    """A posted form that may carry files: the fields as `read_form` gives them, the files, the ticked removals."""

    values: dict[str, Any]
    page: dict[str, str]
    files: list[Upload] = field(default_factory=list)
    remove: list[str] = field(default_factory=list)


async def read_form_with_files(request: Request, limit: int, checkboxes: tuple[str, ...] = ()) -> PostedForm:
    """The idea form: multipart (with files; the body bounded by the path's larger limit, `BodyLimit`) or
    urlencoded (the check step). A file's content type as the browser sent it is ignored."""
    content_type = request.headers.get("content-type", "")
    if not content_type.startswith("multipart/form-data"):
        values, page = await read_form(request, limit, checkboxes)
        return PostedForm(values, page)
    # a text field is bounded as an urlencoded form is; only the files may make the body larger
    try:
        form = await request.form(max_files=MAX_FORM_FILES, max_fields=200, max_part_size=limit)
    except HTTPException as refused:  # starlette's answer to a part over the size: intake's page, in the language
        if "exceeded maximum size" in str(refused.detail):
            raise BodyTooLarge from None
        raise
    pairs: list[tuple[str, str]] = []
    files: list[Upload] = []
    remove: list[str] = []
    for name, value in form.multi_items():
        if isinstance(value, StarletteUpload):
            data = await value.read()
            if name == FILE_FIELD and (data or value.filename):
                files.append(Upload(value.filename or "", data))
        elif name == FILE_FIELD:
            continue  # an empty file input (no file chosen) comes as a plain field
        elif name == REMOVE_FIELD:
            remove.append(value)
        else:
            pairs.append((name, value))
    await form.close()
    values, page = _nest(pairs, checkboxes)
    return PostedForm(values, page, files, remove)


def _nest(pairs: list[tuple[str, str]], checkboxes: tuple[str, ...]) -> tuple[dict[str, Any], dict[str, str]]:
    nested: dict[str, Any] = {}
    page: dict[str, str] = {}
    for name, value in pairs:
        if name in PAGE_FIELDS:
            page[name] = value
            continue
        if name in BOOLEAN_FIELDS:
            value_out: Any = value not in ("", "false", "no")
        elif name in LIST_FIELDS:
            _place(nested, name, None).append(value)
            continue
        else:
            value_out = value
        _place(nested, name, value_out)
    for name in checkboxes:
        parent = nested
        *parents, leaf = name.split(".")
        for part in parents:
            parent = parent.setdefault(part, {}) if isinstance(parent.get(part, {}), dict) else {}
        parent.setdefault(leaf, False)
    return nested, page


def _place(nested: dict[str, Any], dotted: str, value: Any) -> Any:
    *parents, leaf = dotted.split(".")
    target = nested
    for part in parents:
        child = target.setdefault(part, {})
        if not isinstance(child, dict):
            child = target[part] = {}
        target = child
    if value is None:  # a list field: collect repeated values
        existing = target.get(leaf)
        if not isinstance(existing, list):
            existing = target[leaf] = []
        return existing
    target[leaf] = value
    return value


async def rate_limit(request: Request) -> None:
    """Dependency of every public POST that does not carry a signed link: 429 + Retry-After over the limit
    (counted per replica, in memory: see domain/rate_limit.py)."""
    deps = get_container(request)
    retry_after = deps.abuse.over_rate_limit(client_address(request, deps.settings))
    if retry_after is not None:
        raise RateLimited(retry_after)


RateLimit = Depends(rate_limit)


def field_id(field: str) -> str:
    """The HTML id of a form control for a field path: organisation.business_id -> organisation-business_id."""
    return field.replace(".", "-")
