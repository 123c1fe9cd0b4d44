"""One trace follows an idea from the HTTP request through NATS into every consumer (OpenTelemetry, in-memory
exporter), with real NATS and a real MongoDB-protocol server."""

from __future__ import annotations

import contextlib
from typing import Any

from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

from koonto.advisory.main import create_runtime as advisory_runtime
from koonto.advisory.settings import AdvisorySettings
from koonto.devsinks import MailSink
from koonto.intake.main import create_runtime as intake_runtime
from koonto.intake.settings import IntakeSettings
from koonto.notify.main import create_runtime as notify_runtime
from koonto.notify.settings import NotifySettings
from koonto.reporting.main import create_runtime as reporting_runtime
from koonto.reporting.settings import ReportingSettings
from koonto.shared import tracing
from tests.intake.helpers import idea_body
from tests.support.polling import eventually
from tests.support.services import FAST_CONSUMER, client, running
from tests.support.staff import TEST_JWKS_JSON

SUBMITTED = "consume koonto.intake.idea-submitted.v1"


async def test_one_trace_from_the_form_into_advisory_notify_and_reporting(
    clean_stream: str, mongo_url: str, db_names: dict[str, str], tmp_path: Any
) -> None:
    exporter = InMemorySpanExporter()
    tracing.use_exporter(exporter)
    sink = MailSink().start()
    common: dict[str, Any] = {
        "mode": "test", "nats_url": clean_stream, "mongo_url": mongo_url, "staff_jwks_url": TEST_JWKS_JSON,
        "log_json": False, "data_dir": tmp_path, **FAST_CONSUMER,
    }
    runtimes = [
        intake_runtime(IntakeSettings(**common, mongo_database=db_names["intake"], min_fill_seconds=0)),
        advisory_runtime(AdvisorySettings(**common, mongo_database=db_names["advisory"])),
        notify_runtime(NotifySettings(**common, mongo_database=db_names["notify"], smtp_port=sink.port)),
        reporting_runtime(ReportingSettings(**common, mongo_database=db_names["reporting"])),
    ]
    try:
        async with contextlib.AsyncExitStack() as stack:
            for runtime in runtimes:
                await stack.enter_async_context(running(runtime))
            http = await stack.enter_async_context(client(runtimes[0]))
            response = await http.post("/api/v1/ideas", json=idea_body())
            assert response.status_code == 201, response.text

            def consumers() -> set[str]:
                return {str((s.attributes or {}).get("koonto.service")) for s in exporter.get_finished_spans()
                        if s.name == SUBMITTED}

            async def probe() -> set[str]:
                return consumers()

            await eventually(probe, until=lambda found: {"advisory", "notify", "reporting"} <= found, timeout=60,
                             what="consumer spans in advisory, notify and reporting")
    finally:
        sink.stop()

    spans = exporter.get_finished_spans()
    server = next(s for s in spans if s.name == "HTTP POST /api/v1/ideas")
    consumer_spans = [s for s in spans if s.name == SUBMITTED]
    assert {s.context.trace_id for s in consumer_spans} == {server.context.trace_id}
    # advisory's own event (case-opened) carries the trace on: its consumers are in the same trace too
    follow_ups = [s for s in spans if s.name == "consume koonto.advisory.case-opened.v1"]
    assert all(s.context.trace_id == server.context.trace_id for s in follow_ups)
