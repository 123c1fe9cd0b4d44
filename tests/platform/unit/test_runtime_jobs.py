"""A background job that crashes is started again (with a growing delay), not left dead."""

from __future__ import annotations

import asyncio

import pytest

from koonto.shared import runtime as runtime_module
from koonto.shared.aio import within
from koonto.shared.metrics import JOB_RESTARTS
from koonto.shared.runtime import Infra, Runtime, ServiceSpec
from koonto.shared.settings import ServiceSettings


async def test_a_crashed_job_is_started_again_until_it_ends(monkeypatch: pytest.MonkeyPatch) -> None:
    runs = 0
    delays: list[float] = []
    real_sleep = asyncio.sleep

    async def recorded_sleep(delay: float) -> None:  # the waits asked for, not the (noisy) time they took
        delays.append(delay)
        await real_sleep(0)

    async def flaky(infra: Infra) -> None:
        nonlocal runs
        runs += 1
        if runs < 4:
            raise ConnectionError("the store went away")

    runtime = Runtime(ServiceSpec(name="jobprobe", title="job probe", jobs=[flaky]), ServiceSettings())
    before = JOB_RESTARTS.labels("jobprobe", "flaky")._value.get()
    monkeypatch.setattr(runtime_module.asyncio, "sleep", recorded_sleep)
    await asyncio.wait_for(runtime._run_job(flaky, first_delay=0.5, max_delay=1.0), timeout=5)
    monkeypatch.undo()
    assert runs == 4
    assert delays == [0.5, 1.0, 1.0]  # growing, capped
    assert JOB_RESTARTS.labels("jobprobe", "flaky")._value.get() == before + 3
    await runtime.mongo.close()


async def test_cancelling_the_job_stops_it() -> None:
    async def forever(infra: Infra) -> None:
        raise RuntimeError("always")

    runtime = Runtime(ServiceSpec(name="jobprobe2", title="job probe", jobs=[forever]), ServiceSettings())
    task = asyncio.create_task(runtime._run_job(forever, first_delay=0.01))
    await asyncio.sleep(0.1)
    task.cancel()
    try:
        await task
    except asyncio.CancelledError:
        pass
    assert task.cancelled()
    await runtime.mongo.close()


async def test_stop_ends_jobs_that_crash_loop_or_swallow_a_cancel() -> None:
    async def crashing(infra: Infra) -> None:
        raise RuntimeError("always")

    async def stubborn(infra: Infra) -> None:
        while True:
            try:
                await asyncio.sleep(10)
            except asyncio.CancelledError:
                pass  # a library that eats the first cancel: stop cancels again
            await asyncio.sleep(10)

    runtime = Runtime(ServiceSpec(name="jobprobe3", title="job probe", jobs=[crashing, stubborn]), ServiceSettings())
    tasks = [asyncio.create_task(runtime._run_job(job, first_delay=0.01)) for job in (crashing, stubborn)]
    runtime._tasks.extend(tasks)
    await asyncio.sleep(0.1)
    await within(runtime.stop(timeout=5), 10)
    assert all(t.done() for t in tasks)  # ended, not left behind at the deadline
