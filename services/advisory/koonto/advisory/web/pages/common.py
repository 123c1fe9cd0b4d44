"""What every staff page shares: rendering in the request's language, the posted form (CSRF checked), the
redirect after a post, and a refusal shown next to a form's field. The form values are read in `fields.py`."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Annotated, Any

from fastapi import Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.datastructures import FormData

from koonto.advisory.bootstrap import container_of
from koonto.advisory.domain.actor import Actor
from koonto.advisory.domain.errors import AdvisoryError, NotFound
from koonto.advisory.i18n import N_
from koonto.advisory.web.errors import http_status
from koonto.shared.auth import StaffPrincipal, check_csrf
from koonto.shared.clock import format_date
from koonto.shared.i18n import Catalogues, current_language
from koonto.shared.pages import SHARED_LOCALE, Pages
from koonto.shared.stages import STAGE_LABELS

WEB_DIR = Path(__file__).parent.parent
LOCALE_DIR = WEB_DIR.parent / "locale"
PREFIX = ""  # the proxy serves advisory under /staff/ and strips the prefix (docs/operations.md)

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
    "capacity": N_("Osallistujamäärä nostettu. Uudet paikat annetaan ensin jonossa oleville."),
    "check-in": N_("Osallistujat tallennettu osallistujalistalta."),
    "cancelled": N_("Ilmoittautuminen perutaan. Paikka annetaan seuraavalle jonossa."),
    "staff": N_("Käyttäjä tallennettu."),
    "invited": N_("Käyttäjä lisätty. Hänelle lähetettiin sähköpostiin linkki, jolla hän asettaa salasanansa."),
    "link": N_("Linkki salasanan asettamiseen lähetettiin käyttäjän sähköpostiin."),
    "link-refused": N_("Linkkiä ei voitu lähettää: tunnus ei ole käytössä."),
    "password": N_("Salasana on asetettu. Kirjaudu sisään uudella salasanallasi."),
    "redriven": N_("Viesti käsitelty uudelleen."),
    "failed": N_("Käsittely epäonnistui edelleen."),
    "done": N_("Muistutus kuitattu."),
    "slot": N_("Neuvonta-aika julkaistu. Se näkyy nyt varattavana julkisella sivulla."),
    "withdrawn": N_("Neuvonta-aika peruttu."),
    "results": N_("Tulokset julkaistu. Ne näkyvät julkisella esittelysivulla hetken kuluttua."),
    "results-withdrawn": N_("Tulokset poistettu julkiselta esittelysivulta."),
    "introduced": N_("Yhdistykset esitelty toisilleen. Kumpikin saa viestin toisen yhteystiedoista."),
}


def _isodate(value: str | None) -> str:
    if not value:
        return ""
    try:
        return format_date(date.fromisoformat(value))
    except ValueError:
        return value


def make_pages() -> Pages:
    pages = Pages(WEB_DIR / "templates", Catalogues(SHARED_LOCALE, LOCALE_DIR), service="advisory")
    pages.env.filters["isodate"] = _isodate
    return pages


def _pages(request: Request) -> Pages:
    pages = container_of(request).pages
    assert pages is not None, "configure_app(app, container) first"
    return pages


def gettext(request: Request, message: str) -> str:
    """A message in the request's language (the shared middleware set it)."""
    return _pages(request).catalogues.gettext(message)


def municipalities(request: Request) -> list[dict[str, str]]:
    """The municipalities of the staff member's regions (the current region's first) for a select, named in the
    page's language."""
    language = current_language()
    advisory = container_of(request)
    mine = advisory.store.scope.mine()
    regions = [advisory.region, *(r for r in advisory.infra.regions if r.code in mine and r != advisory.region)]
    return [{"code": m.code, "name": m.name_sv if language == "sv" else m.name_fi} for r in regions
            for m in r.municipalities]


def region_names(request: Request, codes: Iterable[str]) -> list[dict[str, str]]:
    """The regions of `codes` (served ones only, home first) for a choice, named in the page's language."""
    wanted = set(codes)
    language = current_language()
    return [
        {"code": r.code, "name": getattr(r, f"name_{language}", r.name_fi)}
        for r in container_of(request).infra.regions if r.code in wanted
    ]


def served_regions(request: Request) -> list[dict[str, str]]:
    """Every region of a deployment of several (for the staff accounts' roles per region); [] with one."""
    regions = container_of(request).infra.regions
    return region_names(request, regions.codes) if regions.several else []


def own_regions(request: Request) -> list[dict[str, str]]:
    """The signed-in staff member's regions, for the region of a call, a training or an advice time they create:
    [] when they work in one region only (no choice shown)."""
    mine = container_of(request).store.scope.mine()
    return region_names(request, mine) if len(mine) > 1 else []


def municipality_label(request: Request, code: str | None, other: str | None = None) -> str:
    """The region's name of `code` in the page's language; for "other" what the association wrote (or "Muu
    kunta"), never the code."""
    advisory = container_of(request)
    # the current region's first; a case of another of the staff member's regions names its own municipality
    m = next((found for r in (advisory.region, *advisory.infra.regions) if (found := r.municipality(code or ""))), None)
    if m is not None:
        return m.name_sv if current_language() == "sv" else m.name_fi
    if code == "other":
        return other or gettext(request, N_("Muu kunta"))
    return code or ""


def theme_labels(request: Request, codes: Iterable[str]) -> list[str]:
    """The region's names of the theme codes, in the page's language."""
    advisory = container_of(request)
    by_code = {t.code: t for r in (*advisory.infra.regions, advisory.region) for t in r.themes}
    language = current_language()
    return [getattr(by_code[c], language, by_code[c].fi) if c in by_code else c for c in codes]


def page(request: Request, template: str, shown: Shown, title: str, **context: Any) -> HTMLResponse:
    """A page with a form: its title (a Finnish text marked with N_, translated here), its data, and what `shown`
    carries (the refusal next to the fields, the values sent, the status)."""
    return render(request, template, page_title=gettext(request, title), **shown.context(), **context)


def render(request: Request, template: str, status_code: int = 200, **context: Any) -> HTMLResponse:
    pages = _pages(request)
    principal: StaffPrincipal | None = getattr(request.state, "principal", None)

    def municipality_name(code: str | None, other: str | None = None) -> str:
        return municipality_label(request, code, other)

    def theme_names(codes: list[str]) -> str:
        return ", ".join(theme_labels(request, codes))

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


async def posted(request: Request, principal: StaffPrincipal) -> FormData:
    """The posted form, after checking its CSRF token against the session (403 when missing or wrong)."""
    await check_csrf(request, principal)
    return await request.form()


def done(path: str, what: str, anchor: str = "") -> RedirectResponse:
    """The redirect after a post (303), to the page it came from with the notice of what was done."""
    return RedirectResponse(f"{PREFIX}{path}?done={what}{anchor}", status_code=303)


@dataclass(frozen=True)
class Shown:
    """What a page with a form shows besides its data: the refusal next to the fields, the values sent, the status."""

    errors: dict[str, str] = field(default_factory=dict)
    form: FormData = field(default_factory=FormData)
    status_code: int = 200

    def context(self) -> dict[str, Any]:
        return {"errors": self.errors, "form": self.form, "status_code": self.status_code}


FRESH = Shown()


def _fresh() -> Shown:
    return FRESH


# A page function is its own GET route: shown afresh there (`shown: Fresh = FRESH`), and called again by a refused
# post with what the post sent (`submit(..., again=partial(page, request, advisory, ..., principal))`).
Fresh = Annotated[Shown, Depends(_fresh)]
Act = Callable[[Actor, FormData], Awaitable[object]]


async def submit(
    request: Request,
    principal: StaffPrincipal,
    act: Act,
    *,
    field: str,
    again: Callable[[Shown], Awaitable[HTMLResponse]],
    then: RedirectResponse,
    statuses: tuple[int, ...] = (),
) -> Response:
    """A form's post: CSRF checked, `act` run; then the redirect `then`, or the page `again` with the refusal
    next to its field (or `field`), status one of `statuses` (else 422). A NotFound is no form's business: it
    propagates (the domain-error handler answers 404)."""
    form = await posted(request, principal)
    try:
        await act(Actor.of(principal), form)
    except NotFound:
        raise
    except AdvisoryError as exc:
        status = http_status(exc)
        fields = exc.extra.get("fields") or {exc.field or field: exc.message}  # every wrong field at once
        errors = {name: gettext(request, message) for name, message in fields.items()}
        return await again(Shown(errors, form, status if status in statuses else 422))
    return then
