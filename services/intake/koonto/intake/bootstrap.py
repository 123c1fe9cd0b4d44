"""Intake's composition root: everything the handlers, routers and jobs use, built once from the runtime's `Infra`."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import cast

from koonto.intake.domain.attachments import kind_label, megabytes
from koonto.intake.domain.messages import FieldErrors
from koonto.intake.links import Links
from koonto.intake.regional import RegionScope
from koonto.intake.settings import IntakeSettings
from koonto.intake.store import IntakeStore
from koonto.intake.use_cases.abuse import Abuse
from koonto.intake.use_cases.bookings import Bookings
from koonto.intake.use_cases.ideas import IdeaSubmissions
from koonto.intake.use_cases.references import References
from koonto.intake.use_cases.registrations import Registrations
from koonto.intake.use_cases.status import StatusActions
from koonto.intake.use_cases.subscriptions import Subscriptions
from koonto.intake.use_cases.uploads import Uploads
from koonto.intake.views import IntakeViews
from koonto.shared.clock import utcnow
from koonto.shared.i18n import Catalogues
from koonto.shared.pages import SHARED_LOCALE, Pages
from koonto.shared.runtime import Infra, OnInfra

PACKAGE = Path(__file__).parent
TEMPLATES = PACKAGE / "web" / "templates"
STATIC = PACKAGE / "web" / "static"
LOCALE = PACKAGE / "locale"


@dataclass
class IntakeContainer(OnInfra):
    settings: IntakeSettings
    infra: Infra
    store: IntakeStore
    clock: Callable[[], datetime]
    links: Links
    catalogues: Catalogues
    pages: Pages
    views: IntakeViews
    ideas: IdeaSubmissions
    status: StatusActions
    registrations: Registrations
    subscriptions: Subscriptions
    bookings: Bookings  # advice times (hankeklinikka)
    abuse: Abuse  # bots and the per-replica rate limit
    uploads: Uploads  # drafts of the idea form and its attachments

    def t(self, msgid: str) -> str:
        return self.catalogues.gettext(msgid)

    def errors_text(self, errors: FieldErrors) -> dict[str, str]:
        return {field: message.render(self.t) for field, message in errors.items()}


def bootstrap(infra: Infra, *, clock: Callable[[], datetime] = utcnow, links: Links | None = None) -> IntakeContainer:
    settings = cast(IntakeSettings, infra.settings)
    store = IntakeStore(infra.store, RegionScope(infra.regions))
    links = links or Links.from_settings(settings)
    catalogues = Catalogues(SHARED_LOCALE, LOCALE)
    subscriptions = Subscriptions(store, infra, links, settings, clock)
    pages = Pages(TEMPLATES, catalogues, service="intake")
    pages.env.filters.update(attachment_kind=kind_label, megabytes=megabytes)
    return IntakeContainer(
        settings=settings, infra=infra, store=store, clock=clock, links=links, catalogues=catalogues, pages=pages,
        views=IntakeViews(store, links, clock),
        ideas=IdeaSubmissions(store, infra, links, settings, clock, subscriptions,
                              References(store.references, settings.reference_block_size)),
        status=StatusActions(store, infra, links, settings, clock),
        registrations=Registrations(store, infra, links, settings, clock),
        subscriptions=subscriptions,
        bookings=Bookings(store, infra, links, settings, clock),
        abuse=Abuse(store, links, settings),
        uploads=Uploads(store, infra, links, settings, clock),
    )
