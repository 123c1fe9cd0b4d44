"""Run the benchmarks: `python3 deploy/local/koonto.py bench [--scale smoke|quick|full] [--store nx-27017|ferretdb]`.

Starts the whole system on real servers (as the tests do), measures each raw primitive and each Koonto figure in
the same run, prints a table and writes docs/benchmarks.md. Figures are ratios, never absolute targets.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import platform
import threading
from datetime import UTC, datetime
from pathlib import Path

import psutil

from bench import partners_bench, raw, scenarios
from tests.support.servers import temp_base
from tests.support.system import running_system

ROOT = Path(__file__).resolve().parents[1]


def rss_mb(pid: int) -> float:
    return psutil.Process(pid).memory_info().rss / 1024 / 1024


class PeakMemory:
    """Samples the resident memory of every service process every 0.5 s while the load runs; keeps the peak."""

    def __init__(self, system) -> None:  # type: ignore[no-untyped-def]
        self.system = system
        self.peak: dict[str, float] = {}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.wait(0.5):
            for name, service in self.system.services.items():
                if service.process and service.process.poll() is None:
                    with contextlib.suppress(psutil.Error):
                        self.peak[name] = max(self.peak.get(name, 0.0), rss_mb(service.process.pid))

    def __enter__(self) -> PeakMemory:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()


SCALES = {
    # ideas posted, e2e ideas, raw messages, fan-out subscribers, report latency at (events, events) in the stream,
    # seconds of the deadline rush and partner profiles for the suggestions row
    "smoke": dict(n=50, e2e=5, messages=1000, subscribers=50, first=1000, second=3000, rush=5, partners=500),
    "quick": dict(n=300, e2e=20, messages=5000, subscribers=1000, first=5000, second=20000, rush=20, partners=10000),
    "full": dict(n=2000, e2e=100, messages=20000, subscribers=10000, first=10000, second=100000, rush=60,
                 partners=10000),
}


async def measure(  # type: ignore[no-untyped-def]
    system, scale: str, only: str = ""
) -> list[tuple[str, str, str, str]]:
    size = SCALES[scale]
    if only == "e2e":  # the end-to-end and deadline-rush rows alone (issue 14's latency work)
        return (await latency_figures(system, size, 16))[0]
    n = size["n"]
    concurrency = 16
    rows: list[tuple[str, str, str, str]] = []
    idle = {name: rss_mb(s.process.pid) for name, s in system.services.items() if s.process}
    with PeakMemory(system) as memory:
        live, raw_consume = await live_figures(system, size, n, concurrency)
    rows += live
    loaded = dict(memory.peak)
    rows += await reporting_figures(system, size, raw_consume)
    rows.append(await partners_bench.figure(system.mongo_url, size["partners"]))  # its own database
    for name in idle:
        rows.append((f"resident memory: {name}", f"idle {idle[name]:.0f} MB, peak under load {loaded[name]:.0f} MB",
                     "", ""))
    return rows


async def live_figures(  # type: ignore[no-untyped-def]
    system, size: dict[str, int], n: int, concurrency: int
) -> tuple[list[tuple[str, str, str, str]], float]:
    """The figures with all four services running; also the raw pull-consume rate the replay is divided by."""
    rows: list[tuple[str, str, str, str]] = []
    inserts = await raw.store_inserts(system.mongo_url, n, concurrency)
    ideas = await scenarios.intake_ideas(system, n, concurrency)
    rows.append((
        f"intake: accepted ideas/s at concurrency {concurrency}",
        f"{ideas.per_second:.0f}/s (p50 {ideas.percentile(50) * 1000:.1f} ms, "
        f"p99 {ideas.percentile(99) * 1000:.1f} ms)",
        f"raw inserts {inserts.per_second:.0f}/s",
        f"{ideas.per_second / inserts.per_second:.2f} (target >= 0.6)",
    ))
    rows.append(await intake_alone(system, n, concurrency))
    await scenarios.consumers_drained(system.nats_url, "")  # the ideas' cases, counts and mails are done
    await scenarios.mail_quiet(system)  # before anything else is timed
    latency, smtp_port = await latency_figures(system, size, concurrency)
    rows += latency

    publish, consume = await raw.nats_publish_consume(system.nats_url, size["messages"])
    rows.append(("raw JetStream publish / pull-consume", f"{publish.per_second:.0f}/s / {consume.per_second:.0f}/s",
                 "(reference)", ""))
    smtp = await raw.smtp_sends("127.0.0.1", smtp_port, max(n, 500), 8)
    rows.append(("raw SMTP sends (aiosmtplib, concurrency 8)", f"{smtp.per_second:.0f}/s", "(reference)", ""))

    subscribers = size["subscribers"]
    fan = await scenarios.fanout(system, subscribers)
    rows.append((
        f"fan-out: call announcement to {subscribers} subscribers",
        f"{fan.per_second:.0f} mails/s", f"raw aiosmtplib sends {smtp.per_second:.0f}/s",
        f"{fan.per_second / smtp.per_second:.2f} (target >= 0.7)",
    ))
    return rows, consume.per_second


async def latency_figures(  # type: ignore[no-untyped-def]
    system, size: dict[str, int], concurrency: int
) -> tuple[list[tuple[str, str, str, str]], int]:
    """End to end (one idea at a time, idle) and the deadline rush, each against the sum of the raw steps measured
    just before them; also the SMTP port (for the raw SMTP row)."""
    rows: list[tuple[str, str, str, str]] = []
    http = await raw.http_round_trips(f"{system.services['intake'].url}/healthz", 200, 1)
    insert_one = await raw.store_inserts(system.mongo_url, 200, 1)
    round_trip = await raw.nats_round_trip(system.nats_url, 200)
    assert system.smtp is not None
    smtp_one = await raw.smtp_sends("127.0.0.1", system.smtp.port, 100, 1)
    raw_sum = (http.percentile(50) + insert_one.percentile(50) + round_trip.percentile(50) + smtp_one.percentile(50))
    e2e = await scenarios.idea_to_receipt_mail(system, size["e2e"])
    rows.append((
        "end to end: POST idea -> receipt mail accepted by SMTP",
        f"p50 {e2e.percentile(50) * 1000:.1f} ms, p99 {e2e.percentile(99) * 1000:.1f} ms",
        f"sum of raw steps p50 {raw_sum * 1000:.1f} ms (HTTP {http.percentile(50) * 1000:.1f} + insert "
        f"{insert_one.percentile(50) * 1000:.1f} + publish/consume {round_trip.percentile(50) * 1000:.1f} + SMTP "
        f"{smtp_one.percentile(50) * 1000:.1f})",
        f"{e2e.percentile(50) / raw_sum:.2f}x (target <= 3x)",
    ))
    print(table(rows[-1:]), flush=True)  # at once: a rush that fails on a busy machine does not lose this row
    rush = await scenarios.deadline_rush(system, size["rush"], concurrency)
    rows.append((
        f"deadline rush: {concurrency} clients posting ideas for {size['rush']} s, consumers running",
        f"{rush.submits.count} ideas ({rush.submits.per_second:.0f}/s); submit {spread(rush.submits)}; POST -> receipt "
        f"{spread(rush.receipts)}; last receipt {rush.drain_seconds:.1f} s after the last answer",
        f"sum of raw steps p50 {raw_sum * 1000:.1f} ms (as above)",
        f"receipt p99 {rush.receipts.percentile(99) / raw_sum:.1f}x (target <= 5x)",
    ))
    await scenarios.consumers_drained(system.nats_url, "")
    await scenarios.mail_quiet(system)
    return rows, system.smtp.port


def spread(rate: raw.Rate) -> str:
    return f"p50 {rate.percentile(50) * 1000:.1f} ms, p99 {rate.percentile(99) * 1000:.1f} ms"


async def intake_alone(system, n: int, concurrency: int) -> tuple[str, str, str, str]:  # type: ignore[no-untyped-def]
    """Intake with advisory, notify and reporting paused (SIGSTOP): its own cost against raw inserts measured the
    same way, paused too. The consumers work through the backlog once they are let go."""
    scenarios.pause_consumers(system, True)
    try:
        await asyncio.sleep(3)  # the relay settles what the first load left
        inserts = await raw.store_inserts(system.mongo_url, n, concurrency)
        ideas = await scenarios.intake_ideas(system, n, concurrency)
    finally:
        scenarios.pause_consumers(system, False)
    return (
        f"intake with the consumers paused: accepted ideas/s at concurrency {concurrency}",
        f"{ideas.per_second:.0f}/s ({spread(ideas)})",
        f"raw inserts {inserts.per_second:.0f}/s (consumers paused too)",
        f"{ideas.per_second / inserts.per_second:.2f} (target >= 0.5)",
    )


async def reporting_figures(  # type: ignore[no-untyped-def]
    system, size: dict[str, int], consume: float
) -> list[tuple[str, str, str, str]]:
    """Replay and report latency with the stream at `first` and at `second` events.

    The synthetic history (tens of thousands of cases: tests.reporting.synthetic) is for reporting alone, so the
    services are stopped first (mailing its contact persons or opening its cases is not what is measured), the read
    models are rebuilt by the replay command, and the summary report is built from them as the API builds it."""
    for name in ("advisory", "notify", "reporting"):
        system.services[name].stop()
    env = system.services["reporting"].env
    rows: list[tuple[str, str, str, str]] = []
    points = []
    for target in (size["first"], size["second"]):
        events = await scenarios.grow_stream_to(system.nats_url, target, run=f"r{target}")
        seconds = scenarios.replay(system)
        latency = await scenarios.summary_latency(env["KOONTO_MONGO_URL"], env["KOONTO_MONGO_DATABASE"])
        points.append((events, seconds, latency))
    (small_events, _, small), (large_events, seconds, large) = points
    rows.append((
        "report latency (summary of a year from the read models)",
        f"p50 {small.percentile(50) * 1000:.0f} ms at {small_events} events; "
        f"p50 {large.percentile(50) * 1000:.0f} ms at {large_events} events",
        "", f"{large.percentile(50) / small.percentile(50):.2f}x (target <= 1.5x)",
    ))
    rows.append((
        f"replay: rebuild reporting from {large_events} events", f"{large_events / seconds:.0f} events/s",
        f"raw pull-consume {consume:.0f}/s", f"{large_events / seconds / consume:.2f} (target >= 0.5)",
    ))
    return rows


def table(rows: list[tuple[str, str, str, str]]) -> str:
    lines = ["| figure | Koonto | raw primitive (same run) | ratio |", "|---|---|---|---|"]
    lines += [f"| {a} | {b} | {c} | {d} |" for a, b, c, d in rows]
    return "\n".join(lines)


def write_section(path: Path, store: str, section: str) -> None:
    """Replaces the text between `<!-- bench:STORE -->` and `<!-- /bench:STORE -->` in `path` (appends the
    section when the markers are not there yet), so a new run updates its table and leaves the notes alone."""
    start, end = f"<!-- bench:{store} -->", f"<!-- /bench:{store} -->"
    text = path.read_text() if path.exists() else "# Benchmarks\n"
    block = f"{start}\n{section}{end}"
    if start in text and end in text:
        before, rest = text.split(start, 1)
        text = before + block + rest.split(end, 1)[1]
    else:
        text = text.rstrip("\n") + f"\n\n## {store}\n\n{block}\n"
    path.write_text(text)


def machine() -> str:
    return (f"{platform.platform()}, Python {platform.python_version()}, {os.cpu_count()} cores, "
            f"{psutil.virtual_memory().total / 2**30:.0f} GiB")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--scale", choices=sorted(SCALES), default="full", help="smoke (CI), quick or full")
    parser.add_argument("--store", choices=["nx-27017", "ferretdb"], default="nx-27017")
    parser.add_argument("--output", type=Path, default=ROOT / "docs" / "benchmarks.md")
    parser.add_argument("--no-write", action="store_true")
    parser.add_argument("--only", choices=["e2e"], default="",
                        help="e2e: only the end-to-end and deadline-rush rows (never written into the file)")
    args = parser.parse_args()
    os.environ["KOONTO_TEST_STORE"] = args.store
    # the providers' send caps are lifted: the fan-out row measures Koonto, not the cap (which a test proves:
    # tests/notify/integration/test_send_cap.py)
    extra = {
        "KOONTO_RATE_LIMIT_REQUESTS": "100000000",
        "KOONTO_LOG_LEVEL": "WARNING",
        "KOONTO_SEND_RATE_PER_SECOND": "100000",
        "KOONTO_SMS_RATE_PER_SECOND": "100000",
    }
    # a busy machine may take minutes to start the four services; what is measured starts after that
    with running_system(temp_base("koonto-bench-"), extra_env=extra, ready_timeout=600) as system:
        rows = asyncio.run(measure(system, args.scale, args.only))
    text = table(rows)
    print(text)
    if not args.no_write and not args.only:
        section = (f"Run {datetime.now(UTC):%Y-%m-%d %H:%M} UTC with `python3 deploy/local/koonto.py bench --scale "
                   f"{args.scale} --store {args.store}` on {machine()}.\n\n{text}\n")
        write_section(args.output, args.store, section)
        print(f"written to {args.output} (the {args.store} section; the analysis around it is kept)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
