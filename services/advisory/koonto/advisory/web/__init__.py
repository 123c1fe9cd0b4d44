"""Advisory's HTTP side: the JSON API (/api/v1, JWKS, token) and the staff pages, one router per resource.

`configure_app` sets the pages up and installs the error handlers once: the domain errors (`errors.py`) and
the pages' sign-in and role checks (`pages/auth.py`).
"""

from __future__ import annotations

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

from koonto.advisory.bootstrap import AdvisoryContainer
from koonto.advisory.scope import ScopeReset
from koonto.advisory.web import api, errors, pages
from koonto.advisory.web.pages import auth
from koonto.advisory.web.pages.common import WEB_DIR, make_pages

ROUTERS = [*api.ROUTERS, *pages.ROUTERS]


def configure_app(app: FastAPI, advisory: AdvisoryContainer) -> None:
    advisory.pages = make_pages()
    app.mount("/static/advisory", StaticFiles(directory=WEB_DIR / "static"), name="advisory-static")
    app.add_middleware(ScopeReset)  # every request starts without a staff scope (scope.py)
    errors.install(app)
    auth.install(app)


__all__ = ["ROUTERS", "configure_app"]
