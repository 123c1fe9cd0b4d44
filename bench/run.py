"""Run the benchmarks: `python3 deploy/local/koonto.py bench [--quick] [--store nx-27017|ferretdb]`.

Starts the whole system on real servers (as the tests do), measures each raw primitive and each Koonto figure in
the same run, prints a table and writes docs/benchmarks.md. Figures are ratios, never absolute targets.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import platform
from datetime import UTC, datetime
from pathlib import Path

import psutil

from bench import raw, scenarios
from tests.support.servers import temp_base
from tests.support.system import running_system

ROOT = Path(__file__).resolve().parents[1]


def rss_mb(pid: int) -> float:
    return psutil.Process(pid).memory_info().rss / 1024 / 1024


async def measure(system, quick: bool) -> list[tuple[str, str, str, str]]:  # type: ignore[no-untyped-def]
    n = 200 if quick else 2000
    concurrency = 16
    rows: list[tuple[str, str, str, str]] = []
    idle = {name: rss_mb(s.process.pid) for name, s in system.services.items() if s.process}

    inserts = await raw.store_inserts(system.mongo_url, n, concurrency)
    ideas = await scenarios.intake_ideas(system, n, concurrency)
    rows.append((
        f"intake: accepted ideas/s at concurrency {concurrency}",
        f"{ideas.per_second:.0f}/s (p50 {ideas.percentile(50) * 1000:.1f} ms, "
        f"p99 {ideas.percentile(99) * 1000:.1f} ms)",
        f"raw inserts {inserts.per_second:.0f}/s",
        f"{ideas.per_second / inserts.per_second:.2f} (target >= 0.6)",
    ))

    http = await raw.http_round_trips(f"{system.services['intake'].url}/healthz", 200, 1)
    insert_one = await raw.store_inserts(system.mongo_url, 200, 1)
    round_trip = await raw.nats_round_trip(system.nats_url, 200)
    assert system.smtp is not None
    smtp_one = await raw.smtp_sends("127.0.0.1", system.smtp.port, 100, 1)
    raw_sum = (http.percentile(50) + insert_one.percentile(50) + round_trip.percentile(50) + smtp_one.percentile(50))
    e2e = await scenarios.idea_to_receipt_mail(system, 20 if quick else 100)
    rows.append((
        "end to end: POST idea -> receipt mail accepted by SMTP",
        f"p50 {e2e.percentile(50) * 1000:.1f} ms, p99 {e2e.percentile(99) * 1000:.1f} ms",
        f"sum of raw steps p50 {raw_sum * 1000:.1f} ms (HTTP {http.percentile(50) * 1000:.1f} + insert "
        f"{insert_one.percentile(50) * 1000:.1f} + publish/consume {round_trip.percentile(50) * 1000:.1f} + SMTP "
        f"{smtp_one.percentile(50) * 1000:.1f})",
        f"{e2e.percentile(50) / raw_sum:.2f}x (target <= 3x)",
    ))

    publish, consume = await raw.nats_publish_consume(system.nats_url, 2000 if quick else 20000)
    rows.append(("raw JetStream publish / pull-consume", f"{publish.per_second:.0f}/s / {consume.per_second:.0f}/s",
                 "(reference)", ""))
    smtp = await raw.smtp_sends("127.0.0.1", system.smtp.port, n, 8)
    rows.append(("raw SMTP sends (aiosmtplib, concurrency 8)", f"{smtp.per_second:.0f}/s", "(reference)", ""))

    loaded = {name: rss_mb(s.process.pid) for name, s in system.services.items() if s.process}
    for name in idle:
        rows.append((f"resident memory: {name}", f"idle {idle[name]:.0f} MB, after load {loaded[name]:.0f} MB", "", ""))
    return rows


def table(rows: list[tuple[str, str, str, str]]) -> str:
    lines = ["| figure | Koonto | raw primitive (same run) | ratio |", "|---|---|---|---|"]
    lines += [f"| {a} | {b} | {c} | {d} |" for a, b, c, d in rows]
    return "\n".join(lines)


def machine() -> str:
    return (f"{platform.platform()}, Python {platform.python_version()}, {os.cpu_count()} cores, "
            f"{psutil.virtual_memory().total / 2**30:.0f} GiB")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="small counts (CI smoke run)")
    parser.add_argument("--store", choices=["nx-27017", "ferretdb"], default="nx-27017")
    parser.add_argument("--output", type=Path, default=ROOT / "docs" / "benchmarks.md")
    parser.add_argument("--no-write", action="store_true")
    args = parser.parse_args()
    os.environ["KOONTO_TEST_STORE"] = args.store
    extra = {"KOONTO_RATE_LIMIT_REQUESTS": "100000000", "KOONTO_LOG_LEVEL": "WARNING"}
    with running_system(temp_base("koonto-bench-"), extra_env=extra) as system:
        rows = asyncio.run(measure(system, args.quick))
    text = table(rows)
    print(text)
    if not args.no_write:
        args.output.write_text(
            f"# Benchmarks\n\nRun {datetime.now(UTC):%Y-%m-%d %H:%M} UTC with `python3 deploy/local/koonto.py bench"
            f"{' --quick' if args.quick else ''} --store {args.store}` on {machine()}.\n"
            "Every figure is divided by the raw primitive measured in the same run on the same servers; timings on "
            "this machine are noisy, ratios less so.\n\n" + text + "\n"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
