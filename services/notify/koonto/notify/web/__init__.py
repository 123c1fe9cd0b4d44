"""notify's web layer: module-level routers per resource (staff API, staff pages, the public preference and
unsubscribe pages), the domain errors mapped to responses once (`errors.py`)."""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter, FastAPI
from fastapi.staticfiles import StaticFiles

from koonto.notify.bootstrap import NotifyContainer
from koonto.notify.web import errors, labels
from koonto.notify.web.api import fanouts as fanouts_api
from koonto.notify.web.api import notifications
from koonto.notify.web.pages import fanouts as fanouts_page
from koonto.notify.web.pages import log, newsletters, preferences, templates

ROUTERS: list[APIRouter] = [
    notifications.router,
    fanouts_api.router,
    log.router,
    templates.router,
    fanouts_page.router,
    newsletters.router,
    preferences.router,
]


def configure(app: FastAPI, container: NotifyContainer) -> None:
    """The pages use the shared stylesheet and notify's few additions (`/static/notify`: the stacked table rows of
    the staff pages); the codes' labels for the templates; errors mapped once."""
    app.mount("/static/notify", StaticFiles(directory=Path(__file__).parent / "static"), name="notify-static")
    labels.install(container.pages.env, container.pages.catalogues)
    errors.install(app)
