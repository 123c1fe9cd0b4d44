"""The notify service's spec for the shared runtime: its subscriptions, indexes, relay source, routers, jobs."""

from __future__ import annotations

from koonto.notify import bootstrap as wiring
from koonto.notify.bootstrap import NotifyContainer
from koonto.notify.channels.mail import MailSender
from koonto.notify.channels.sms import SmsSender
from koonto.notify.clock import Clock
from koonto.notify.settings import NotifySettings
from koonto.notify.store import EVENT_COLLECTIONS, INDEXES, OUTBOX_COLLECTIONS
from koonto.notify.subscriptions import SUBSCRIPTIONS
from koonto.notify.web import ROUTERS, configure
from koonto.shared.runtime import Infra, Runtime, ServiceSpec


def build_spec(
    settings: NotifySettings,
    clock: Clock | None = None,
    *,
    mailer: MailSender | None = None,
    sms: SmsSender | None = None,
) -> ServiceSpec[NotifyContainer]:
    def bootstrap(infra: Infra) -> NotifyContainer:
        return wiring.bootstrap(infra, settings=settings, clock=clock, mailer=mailer, sms=sms)

    return ServiceSpec(
        name="notify",
        title="Koonto notify: email and SMS",
        bootstrap=bootstrap,
        subscriptions=SUBSCRIPTIONS,
        indexes=INDEXES,
        event_collections=EVENT_COLLECTIONS,  # the delivery log carries notification-sent / -failed
        outbox_collections=OUTBOX_COLLECTIONS,  # a campaign carries its newsletter-published
        routers=ROUTERS,
        jobs=wiring.JOBS,
        on_stop=wiring.ON_STOP,
        configure_app=configure,
    )


def create_runtime(
    settings: NotifySettings | None = None,
    clock: Clock | None = None,
    *,
    mailer: MailSender | None = None,
    sms: SmsSender | None = None,
) -> Runtime[NotifyContainer]:
    settings = settings or NotifySettings()
    return Runtime(build_spec(settings, clock, mailer=mailer, sms=sms), settings)

