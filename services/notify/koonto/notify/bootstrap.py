"""The composition root of notify: everything the service is made of, wired once from the runtime's `Infra`."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Protocol

from koonto.notify.channels import Channels
from koonto.notify.channels.mail import MailSender
from koonto.notify.channels.sms import SmsSender
from koonto.notify.clock import Clock, SystemClock
from koonto.notify.links import Links
from koonto.notify.render import Renderer
from koonto.notify.settings import NotifySettings
from koonto.notify.store import NotifyStore
from koonto.notify.use_cases.core import Core
from koonto.notify.use_cases.digest import Digest
from koonto.notify.use_cases.erasure import Erasure
from koonto.notify.use_cases.fanout import Fanout
from koonto.notify.use_cases.messages import Composer
from koonto.notify.use_cases.newsletters import Newsletters
from koonto.notify.use_cases.planning import Planner
from koonto.notify.use_cases.preferences import Preferences
from koonto.notify.use_cases.recovery import Recovery
from koonto.notify.use_cases.reminders import Reminders
from koonto.notify.use_cases.sending import Sender
from koonto.notify.use_cases.signals import Signals
from koonto.notify.use_cases.worker import DeliveryWorker
from koonto.notify.views import NotifyViews
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
    core: Core
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
    newsletters: Newsletters  # campaigns staff compose, sent through the fan-out
    digest: Digest
    reminders: Reminders  # the day before a training or forum
    recovery: Recovery
    preferences: Preferences
    erasure: Erasure
    views: NotifyViews

    def now(self) -> datetime:
        return self.core.now()


def bootstrap(
    infra: Infra, *, settings: NotifySettings, clock: Clock | None = None, mailer: MailSender | None = None,
    sms: SmsSender | None = None,
) -> NotifyContainer:
    core = Core(settings, infra, clock or SystemClock(), NotifyStore(infra.store), Signals())
    channels = Channels(settings, mailer=mailer, sms=sms)
    links = Links(settings.secret_key, settings.public_base_url)
    renderer = Renderer()
    pages = Pages(HERE / "web" / "templates", Catalogues(SHARED_LOCALE, HERE / "locale"), service="notify")
    composer = Composer(core, renderer, links)
    planner = Planner(core)
    sender = Sender(core, channels, composer)
    fanout = Fanout(core, planner)
    return NotifyContainer(
        settings=settings, infra=infra, store=core.store, clock=core.clock, core=core, channels=channels,
        signals=core.signals, links=links, renderer=renderer, pages=pages, composer=composer, planner=planner,
        sender=sender,
        worker=DeliveryWorker(core, sender),
        fanout=fanout,
        newsletters=Newsletters(core, fanout, planner),
        digest=Digest(core, planner),
        reminders=Reminders(core, planner),
        recovery=Recovery(core),
        preferences=Preferences(core, links),
        erasure=Erasure(core),
        views=NotifyViews(core.store, renderer, composer.common_context()),
    )


# -- jobs and hooks for the runtime (each takes the container; job names show in logs and metrics) -----------
class _Loop(Protocol):
    async def run(self) -> None: ...


def _job(name: str, part: Callable[[NotifyContainer], _Loop]) -> Callable[[NotifyContainer], Awaitable[None]]:
    async def job(container: NotifyContainer) -> None:
        await part(container).run()

    job.__name__ = name
    return job


JOBS = [
    _job("run_worker", lambda c: c.worker),
    _job("run_recovery", lambda c: c.recovery),
    _job("run_fanouts", lambda c: c.fanout),
    _job("run_newsletters", lambda c: c.newsletters),
    _job("run_digest", lambda c: c.digest),
    _job("run_reminders", lambda c: c.reminders),
]


async def close_channels(container: NotifyContainer) -> None:
    await container.channels.close()


ON_STOP = [close_channels]
