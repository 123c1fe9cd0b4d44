"""The composition root of notify: everything the service is made of, wired once from the runtime's `Infra`."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from koonto.notify.channels import Channels
from koonto.notify.channels.mail import MailSender
from koonto.notify.channels.sms import SmsSender
from koonto.notify.clock import Clock, SystemClock
from koonto.notify.links import Links
from koonto.notify.render import Renderer
from koonto.notify.settings import NotifySettings
from koonto.notify.store import NotifyStore
from koonto.notify.use_cases.digest import Digest
from koonto.notify.use_cases.fanout import Fanout
from koonto.notify.use_cases.messages import Composer
from koonto.notify.use_cases.planning import Planner
from koonto.notify.use_cases.preferences import Preferences
from koonto.notify.use_cases.recovery import Recovery
from koonto.notify.use_cases.sending import Sender
from koonto.notify.use_cases.signals import Signals
from koonto.notify.use_cases.worker import DeliveryWorker
from koonto.notify.views import NotifyViews
from koonto.shared.clock import as_utc
from koonto.shared.i18n import Catalogues
from koonto.shared.pages import SHARED_LOCALE, Pages
from koonto.shared.runtime import Infra

HERE = Path(__file__).parent


@dataclass
class NotifyContainer:
    settings: NotifySettings
    infra: Infra
    store: NotifyStore
    clock: Clock
    channels: Channels
    signals: Signals
    links: Links
    renderer: Renderer
    pages: Pages
    composer: Composer
    planner: Planner
    sender: Sender
    worker: DeliveryWorker
    fanout: Fanout
    digest: Digest
    recovery: Recovery
    preferences: Preferences
    views: NotifyViews

    def now(self) -> datetime:
        return as_utc(self.clock.now())


def bootstrap(
    infra: Infra,
    *,
    settings: NotifySettings,
    clock: Clock | None = None,
    mailer: MailSender | None = None,
    sms: SmsSender | None = None,
) -> NotifyContainer:
    clock = clock or SystemClock()
    store = NotifyStore(infra.store)
    channels = Channels(settings, mailer=mailer, sms=sms)
    signals = Signals()
    links = Links(settings.secret_key, settings.public_base_url)
    renderer = Renderer()
    pages = Pages(HERE / "web" / "templates", Catalogues(SHARED_LOCALE, HERE / "locale"), service="notify")
    composer = Composer(settings, infra.region, renderer, links, store.fanouts)
    planner = Planner(settings, clock, store.deliveries, signals)
    sender = Sender(settings, infra, clock, store, channels, composer)
    return NotifyContainer(
        settings=settings,
        infra=infra,
        store=store,
        clock=clock,
        channels=channels,
        signals=signals,
        links=links,
        renderer=renderer,
        pages=pages,
        composer=composer,
        planner=planner,
        sender=sender,
        worker=DeliveryWorker(settings, store.deliveries, sender, signals),
        fanout=Fanout(settings, clock, infra.region, infra.instance_id, store, planner, signals),
        digest=Digest(settings, clock, infra.region, infra.instance_id, infra.leases, store, planner),
        recovery=Recovery(settings, clock, store.deliveries, signals),
        preferences=Preferences(clock, links, store.recipients),
        views=NotifyViews(store, renderer, composer.common_context()),
    )


# -- jobs and hooks for the runtime (each takes the container; job names show in logs and metrics) -----------
async def run_worker(container: NotifyContainer) -> None:
    await container.worker.run()


async def run_recovery(container: NotifyContainer) -> None:
    await container.recovery.run()


async def run_fanouts(container: NotifyContainer) -> None:
    await container.fanout.run()


async def run_digest(container: NotifyContainer) -> None:
    await container.digest.run()


async def close_channels(container: NotifyContainer) -> None:
    await container.channels.close()


JOBS = [run_worker, run_recovery, run_fanouts, run_digest]
ON_STOP = [close_channels]
