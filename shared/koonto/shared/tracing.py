"""OpenTelemetry traces that follow one idea from the HTTP request through NATS into every consumer.

- An HTTP request opens a server span (`koonto.shared.edge.RequestEdge`).
- `make_envelope` stamps the current trace context into the envelope's `traceparent` (W3C Trace Context, the
  CloudEvents distributed-tracing extension); the outbox relay also sends it as a `traceparent` NATS header.
- A consumer continues the trace from the envelope: its span is a child of the producer's span, and events it
  causes carry the consumer span's context onwards.

Export: OTLP/HTTP to `KOONTO_OTLP_ENDPOINT` when set (e.g. http://otel-collector:4318/v1/traces); nothing
otherwise. Tests install an in-memory exporter with `use_exporter`.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

from opentelemetry import context as otel_context
from opentelemetry import propagate, trace
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor, SimpleSpanProcessor, SpanExporter
from opentelemetry.trace import SpanKind

_provider: TracerProvider | None = None


def provider() -> TracerProvider:
    global _provider
    if _provider is None:
        _provider = TracerProvider(resource=Resource.create({"service.namespace": "koonto"}))
        trace.set_tracer_provider(_provider)
    return _provider


def configure(service: str, otlp_endpoint: str | None) -> None:
    provider()
    if otlp_endpoint:
        try:
            from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
        except ImportError:  # pragma: no cover - the exporter is an optional extra
            return
        provider().add_span_processor(BatchSpanProcessor(OTLPSpanExporter(endpoint=otlp_endpoint)))


def use_exporter(exporter: SpanExporter) -> None:
    """Send spans to `exporter` synchronously (tests)."""
    provider().add_span_processor(SimpleSpanProcessor(exporter))


def tracer(service: str) -> trace.Tracer:
    return provider().get_tracer(f"koonto.{service}")


def current_traceparent() -> str | None:
    carrier: dict[str, str] = {}
    propagate.inject(carrier)
    return carrier.get("traceparent")


@contextlib.contextmanager
def consumer_span(service: str, event_type: str, event_id: str, traceparent: str | None) -> Iterator[trace.Span]:
    parent = propagate.extract({"traceparent": traceparent} if traceparent else {})
    token = otel_context.attach(parent)
    try:
        with tracer(service).start_as_current_span(
            f"consume {event_type}", kind=SpanKind.CONSUMER,
            attributes={
                "messaging.system": "nats", "messaging.destination.name": event_type,
                "messaging.message.id": event_id, "koonto.service": service,
            },
        ) as span:
            yield span
    finally:
        otel_context.detach(token)
