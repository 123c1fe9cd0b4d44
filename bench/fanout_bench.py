"""Measure notify's fan-out alone on the whole running system, with its raw primitive in the same run.

    .venv/bin/python -m bench.fanout_bench --store nx-27017 [--subscribers 2000] [--profile /tmp/notify.txt]

Measures, on the same servers: raw SMTP sends (aiosmtplib at notify's pool size and at concurrency 8), then a call
announcement to `--subscribers` confirmed subscribers, from `call-opened` on NATS to the last mail accepted by the
SMTP server, with the providers' send caps lifted (the cap is proved by tests/notify/integration/test_send_cap.py).
Intake, advisory and reporting are paused (SIGSTOP) during the fan-out so the figure is notify's own.
`--profile PATH` records the notify process with py-spy during the fan-out (`uvx py-spy record`; `.txt` gives
collapsed stacks, anything else a flame graph).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import signal
import subprocess
import time

from bench import raw, scenarios
from tests.support.servers import temp_base
from tests.support.system import System, running_system

OTHERS = ("intake", "advisory", "reporting")


def pause(system: System, paused: bool) -> None:
    for name in OTHERS:
        process = system.services[name].process
        if process and process.poll() is None:
            process.send_signal(signal.SIGSTOP if paused else signal.SIGCONT)


async def measure(system: System, args: argparse.Namespace) -> None:
    assert system.smtp is not None
    smtp = await raw.smtp_sends("127.0.0.1", system.smtp.port, max(args.subscribers, 500), 8)
    smtp_pool = await raw.smtp_sends("127.0.0.1", system.smtp.port, max(args.subscribers, 500), args.pool)
    print(
        f"raw SMTP sends: {smtp.per_second:.0f}/s at concurrency 8, {smtp_pool.per_second:.0f}/s at {args.pool}",
        flush=True,
    )
    spy = None
    if args.profile:
        pid = system.services["notify"].process.pid  # type: ignore[union-attr]
        spy = subprocess.Popen(  # noqa: ASYNC220 (a profiler beside the load, not part of it)
            [
                "uvx",
                "py-spy",
                "record",
                "-o",
                args.profile,
                "--pid",
                str(pid),
                "-r",
                "100",
                "--nonblocking",
                *(["--format", "raw"] if args.profile.endswith(".txt") else []),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        await asyncio.sleep(2)
    pause(system, True)
    try:
        started = time.perf_counter()
        fan = await scenarios.fanout(system, args.subscribers)
        elapsed = time.perf_counter() - started
    finally:
        pause(system, False)
        if spy is not None:
            spy.send_signal(signal.SIGINT)
            spy.wait(60)
    print(
        f"fan-out to {args.subscribers}: {fan.per_second:.0f} mails/s, ratio {fan.per_second / smtp.per_second:.2f} "
        f"of raw SMTP at concurrency 8 ({fan.per_second / smtp_pool.per_second:.2f} at notify's pool size); "
        f"{elapsed:.1f} s including the subscriptions",
        flush=True,
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--store", choices=["nx-27017", "ferretdb"], default="nx-27017")
    parser.add_argument("--subscribers", type=int, default=2000)
    parser.add_argument("--pool", type=int, default=2, help="notify's SMTP pool size (KOONTO_SMTP_POOL_SIZE)")
    parser.add_argument("--profile", help="py-spy output (.svg flame graph, .txt collapsed stacks)")
    args = parser.parse_args()
    os.environ["KOONTO_TEST_STORE"] = args.store
    extra = {
        "KOONTO_LOG_LEVEL": "WARNING",
        "KOONTO_SEND_RATE_PER_SECOND": "100000",
        "KOONTO_SMS_RATE_PER_SECOND": "100000",
        "KOONTO_SMTP_POOL_SIZE": str(args.pool),
    }
    with running_system(temp_base("koonto-fanout-bench-"), extra_env=extra) as system:
        asyncio.run(measure(system, args))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
