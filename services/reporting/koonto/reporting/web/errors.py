"""The domain errors of reporting as HTTP responses, mapped once (installed by `main.configure_app`).

The API answers in JSON. The dashboard page shows a wrong query inside its own form (with links to the fields),
so it catches `QueryErrors` itself; no other page raises a domain error.
"""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

from koonto.reporting.domain.errors import PdfUnavailable, QueryErrors, UnknownFormat


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

    app.add_exception_handler(QueryErrors, on_query_errors)
    app.add_exception_handler(PdfUnavailable, on_pdf_unavailable)
    app.add_exception_handler(UnknownFormat, on_unknown_format)
