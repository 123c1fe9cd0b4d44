"""What every use case stands on: settings, the runtime's infrastructure, the clock, the store, the wake-ups."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from koonto.notify.clock import Clock
from koonto.notify.settings import NotifySettings
from koonto.notify.store import NotifyStore
from koonto.notify.use_cases.signals import Signals
from koonto.shared.clock import as_utc
from koonto.shared.region import Region
from koonto.shared.runtime import Infra


@dataclass(frozen=True)
class Core:
    settings: NotifySettings
    infra: Infra
    clock: Clock
    store: NotifyStore
    signals: Signals

    def now(self) -> datetime:
        return as_utc(self.clock.now())

    @property
    def owner(self) -> str:
        """This replica, as leases and claims name it."""
        return self.infra.instance_id

    @property
    def region(self) -> Region:
        return self.infra.region
