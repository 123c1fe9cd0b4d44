"""GET /api/v1/open-data/…: the open data, public (no sign-in), under CC BY 4.0.

- `indicators.csv[?dialect=fi|en]`, `indicators.json`: every indicator per year and quarter, municipality and
  theme, small numbers suppressed (`domain.suppression`);
- `dictionary.json`: the data dictionary (fields, indicators, units, source events; fi, sv, en);
- `catalog.jsonld`: DCAT-AP metadata for harvesting (CKAN).

Every answer names its licence in a `Link: <…>; rel="license"` header and may be read from any origin
(`Access-Control-Allow-Origin: *`: a portal's preview fetches it from the browser)."""

from __future__ import annotations

import json
from typing import Annotated

from fastapi import APIRouter, Query, Request, Response

from koonto.reporting.exports import opendata as files
from koonto.reporting.exports.csv import check_dialect
from koonto.reporting.exports.dcat import catalog
from koonto.reporting.views import OpenDataView
from koonto.reporting.web.deps import Deps

router = APIRouter(prefix="/api/v1/open-data", tags=["open data"])


def _headers(view: OpenDataView | None, name: str | None = None) -> dict[str, str]:
    headers = {
        "Link": f'<{files.LICENCE_URL}>; rel="license"', "Access-Control-Allow-Origin": "*",
        "Cache-Control": "public, max-age=300",
    }
    if view is not None:
        headers["X-Koonto-Generation"] = view.generation
    if name:
        headers["Content-Disposition"] = f'inline; filename="{name}"'
    return headers


def translator(deps: Deps) -> files.Translate:
    return deps.pages.catalogues.gettext_in


@router.get("/indicators.csv", summary="The open indicators as CSV (CC BY 4.0)")
async def indicators_csv(
    deps: Deps,
    dialect: Annotated[str | None, Query(description="fi (default: ';', UTF-8 with BOM) or en (',')")] = None,
) -> Response:
    chosen = check_dialect(dialect)  # QueryErrors: 422
    view = await deps.views.open_data()
    body = files.build_csv(view.cells, deps.region, chosen)
    name = f"koonto-{deps.region.code}-tunnusluvut.csv"
    return Response(body, media_type="text/csv; charset=utf-8", headers=_headers(view, name))


@router.get("/indicators.json", summary="The open indicators as JSON (CC BY 4.0)")
async def indicators_json(deps: Deps) -> Response:
    view = await deps.views.open_data()
    meta = files.about(deps.region, view.generated_at, view.first, view.last)
    return Response(files.build_json(view.cells, deps.region, meta), media_type="application/json",
                    headers=_headers(view))


@router.get("/dictionary.json", summary="The data dictionary: fields, indicators, units, source events")
async def dictionary_json(deps: Deps) -> Response:
    view = await deps.views.open_data(cells=False)
    meta = files.about(deps.region, view.generated_at, view.first, view.last)
    body = json.dumps(files.dictionary(translator(deps), meta), ensure_ascii=False, indent=1)
    return Response(body.encode(), media_type="application/json", headers=_headers(view))


@router.get("/catalog.jsonld", summary="DCAT-AP metadata (JSON-LD) for open-data portals")
async def catalog_jsonld(request: Request, deps: Deps) -> Response:
    view = await deps.views.open_data(cells=False)
    # with path prefixes, the region's own URLs (`/<region>/...`); a region's host name is not known here
    base_url = deps.settings.public_base_url.rstrip("/") + request.scope.get("root_path", "")
    body = catalog(deps.region, translator(deps), base_url=base_url,
                   modified=view.generated_at, first=view.first, last=view.last)
    return Response(json.dumps(body, ensure_ascii=False, indent=1).encode(), media_type="application/ld+json",
                    headers=_headers(view))
