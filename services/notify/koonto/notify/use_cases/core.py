"""What every use case stands on: settings, the runtime's infrastructure, the clock, the store, the wake-ups."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from koonto.notify.clock import Clock
from koonto.notify.settings import NotifySettings
from koonto.notify.store import NotifyStore
from koonto.notify.use_cases.signals import Signals
from koonto.shared.clock import as_utc
from koonto.shared.runtime import Infra, OnInfra


@dataclass(frozen=True)
class Core(OnInfra):
    settings: NotifySettings
    infra: Infra
    clock: Clock
    store: NotifyStore
    signals: Signals

    def now(self) -> datetime:
        return as_utc(self.clock.now())
