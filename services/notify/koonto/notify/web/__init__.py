"""notify's web layer: module-level routers per resource (staff API, staff pages, the public preference and
unsubscribe pages), the domain errors mapped to responses once (`errors.py`)."""

from __future__ import annotations

from fastapi import APIRouter, FastAPI

from koonto.notify.bootstrap import NotifyContainer
from koonto.notify.web import errors
from koonto.notify.web.api import fanouts as fanouts_api
from koonto.notify.web.api import notifications
from koonto.notify.web.pages import fanouts as fanouts_page
from koonto.notify.web.pages import log, preferences, templates

ROUTERS: list[APIRouter] = [
    notifications.router,
    fanouts_api.router,
    log.router,
    templates.router,
    fanouts_page.router,
    preferences.router,
]


def configure(app: FastAPI, container: NotifyContainer) -> None:
    """The pages use the shared stylesheet (nothing of notify's own to serve); errors mapped once."""
    errors.install(app)
