"""A background job that crashes is started again (with a growing delay), not left dead."""

from __future__ import annotations

import asyncio

from koonto.shared.metrics import JOB_RESTARTS
from koonto.shared.runtime import Runtime, ServiceSpec
from koonto.shared.settings import ServiceSettings


async def test_a_crashed_job_is_started_again_until_it_ends() -> None:
    runs: list[float] = []

    async def flaky(runtime: Runtime) -> None:
        runs.append(asyncio.get_running_loop().time())
        if len(runs) < 3:
            raise ConnectionError("the store went away")

    runtime = Runtime(ServiceSpec(name="jobprobe", title="job probe", jobs=[flaky]), ServiceSettings())
    before = JOB_RESTARTS.labels("jobprobe", "flaky")._value.get()
    await asyncio.wait_for(runtime._run_job(flaky, first_delay=0.05), timeout=5)
    assert len(runs) == 3
    assert runs[2] - runs[1] >= runs[1] - runs[0] >= 0.05  # the delay grows
    assert JOB_RESTARTS.labels("jobprobe", "flaky")._value.get() == before + 2
    await runtime.mongo.close()


async def test_cancelling_the_job_stops_it() -> None:
    async def forever(runtime: Runtime) -> None:
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
