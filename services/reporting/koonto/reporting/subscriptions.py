"""Every event the reporting service consumes: the rows of its one handler module, `handlers.live` (one handler
for every row; that module says which events are not consumed, and why)."""

from __future__ import annotations

from koonto.reporting.handlers import live

SUBSCRIPTIONS = live.SUBSCRIPTIONS
