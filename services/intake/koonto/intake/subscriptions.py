"""Every event the intake service consumes, in one table read top to bottom."""

from __future__ import annotations

from koonto.shared.bus import Subscription

SUBSCRIPTIONS: list[Subscription] = []
