"""Prometheus metrics every service exposes at /metrics (one process = one service)."""

from __future__ import annotations

from prometheus_client import Counter, Gauge, Histogram

HTTP_REQUESTS = Counter(
    "koonto_http_requests_total", "HTTP requests", ["service", "method", "route", "status"]
)
HTTP_LATENCY = Histogram(
    "koonto_http_request_duration_seconds", "HTTP request latency", ["service", "method", "route"]
)
EVENTS_CONSUMED = Counter(
    "koonto_events_consumed_total",
    "Events handled by a consumer, by outcome (processed, duplicate, retried, dead_lettered)",
    ["service", "consumer", "outcome"],
)
EVENT_PROCESSING = Histogram(
    "koonto_event_processing_seconds", "Time spent handling one event", ["service", "consumer"]
)
REDELIVERIES = Counter(
    "koonto_event_redeliveries_total", "Deliveries after the first", ["service", "consumer"]
)
DEAD_LETTERS = Counter("koonto_dead_letters_total", "Messages that gave up", ["service", "consumer"])
OUTBOX_BACKLOG = Gauge("koonto_outbox_backlog", "Aggregates with unpublished events", ["service"])
OUTBOX_PUBLISHED = Counter("koonto_outbox_published_total", "Events published by the relay", ["service"])
OUTBOX_PUBLISH_ERRORS = Counter(
    "koonto_outbox_publish_errors_total", "Relay publish attempts that failed", ["service"]
)
NOTIFICATIONS = Counter(
    "koonto_notifications_total", "Notification outcomes (sent, retried, failed, skipped)",
    ["service", "channel", "outcome"],
)
JOB_RESTARTS = Counter(
    "koonto_job_restarts_total", "Background jobs started again after a crash", ["service", "job"]
)
