"""The domain errors of reporting as HTTP responses, mapped once (installed by `main.configure_app`).

The API answers in JSON. The dashboard page shows a wrong query inside its own form (with links to the fields),
so it catches `QueryErrors` itself; no other page raises a domain error.
"""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

from koonto.reporting.domain.errors import (
    PdfUnavailable,
    QueryErrors,
    RegionNotAllowed,
    RegionNotServed,
    UnknownFormat,
)
from koonto.reporting.web.deps import reporting_container

REGION_NOT_SERVED = "Tuntematon alue (region): valitse jokin näistä: %(regions)s, tai all (kaikki alueesi yhteensä)."
REGION_NOT_ALLOWED = ("Sinulla ei ole oikeutta alueen %(region)s raportteihin. Alueesi: %(regions)s "
                      "(region=all: ne kaikki yhteensä).")


def query_error_response(exc: QueryErrors) -> JSONResponse:
    return JSONResponse(
        {
            "detail": "Raportin hakuehdoissa on virhe: " + " ".join(exc.errors.values()),
            "errors": [{"field": f, "message": m} for f, m in exc.errors.items()],
        },
        status_code=422,
    )


def unknown_format_response(exc: UnknownFormat) -> JSONResponse:
    return JSONResponse({"detail": "Tuntematon tiedostomuoto: valitse json, xlsx, csv tai pdf."}, status_code=404)


def region_error_message(request: Request, exc: RegionNotServed | RegionNotAllowed) -> str:
    """In the reader's language (the catalogues of the pages)."""
    gettext = reporting_container(request).pages.catalogues.gettext
    if isinstance(exc, RegionNotServed):
        return gettext(REGION_NOT_SERVED) % {"regions": ", ".join(exc.served)}
    return gettext(REGION_NOT_ALLOWED) % {"region": exc.code, "regions": ", ".join(exc.visible) or "-"}


def install(app: FastAPI) -> None:
    async def on_query_errors(request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, QueryErrors)
        return query_error_response(exc)

    async def on_unknown_format(request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, UnknownFormat)
        return unknown_format_response(exc)

    async def on_pdf_unavailable(request: Request, exc: Exception) -> JSONResponse:
        return JSONResponse(
            {"detail": "PDF-raportti ei ole tällä palvelimella käytettävissä (järjestelmäkirjastot puuttuvat); "
                       "valitse xlsx tai csv."},
            status_code=503, headers={"Retry-After": "3600"},
        )

    async def on_region(request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, RegionNotServed | RegionNotAllowed)
        status = 404 if isinstance(exc, RegionNotServed) else 403
        return JSONResponse({"detail": region_error_message(request, exc), "region": exc.code}, status_code=status)

    app.add_exception_handler(RegionNotServed, on_region)
    app.add_exception_handler(RegionNotAllowed, on_region)
    app.add_exception_handler(QueryErrors, on_query_errors)
    app.add_exception_handler(PdfUnavailable, on_pdf_unavailable)
    app.add_exception_handler(UnknownFormat, on_unknown_format)
