"""Running services in a test: in-process runtimes (httpx over ASGI) or real `python -m` processes."""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
import time
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import httpx

from koonto.shared.runtime import Runtime
from tests.support.polling import eventually
from tests.support.servers import free_port

FAST_CONSUMER = {
    "consumer_backoff_base_seconds": 0.05,
    "consumer_backoff_max_seconds": 0.5,
    "consumer_ack_wait_seconds": 5.0,
    "outbox_poll_seconds": 0.2,
    "outbox_quiet_ms": 300,
}


@contextlib.asynccontextmanager
async def running(runtime: Runtime, *, wait_ready: bool = True) -> AsyncIterator[Runtime]:
    await runtime.start()
    try:
        if wait_ready:
            await eventually(lambda: _ready(runtime), timeout=30, what=f"{runtime.spec.name} ready")
        yield runtime
    finally:
        await runtime.stop()


async def _ready(runtime: Runtime) -> bool:
    return all((await runtime.readiness()).values())


def client(runtime: Runtime) -> httpx.AsyncClient:
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=runtime.app), base_url="http://testserver")


@contextlib.contextmanager
def service_process(
    service: str, *, env: dict[str, str], port: int | None = None, log_dir: Path | None = None
) -> Iterator[tuple[subprocess.Popen[bytes], str]]:
    """`python -m koonto.<service>` as a real process; yields (process, base_url)."""
    port = port or free_port()
    log_path = (log_dir or Path("/tmp")) / f"{service}-{port}.log"
    with log_path.open("ab") as log:
        proc = subprocess.Popen(
            [sys.executable, "-m", f"koonto.{service}"],
            env={**os.environ, **env, "KOONTO_HTTP_PORT": str(port), "KOONTO_HTTP_HOST": "127.0.0.1"},
            stdout=log, stderr=subprocess.STDOUT,
        )
    try:
        yield proc, f"http://127.0.0.1:{port}"
    finally:
        if proc.poll() is None:
            proc.terminate()
            try:
                proc.wait(10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(5)


def wait_http(url: str, *, status: int = 200, timeout: float = 60.0) -> httpx.Response:
    deadline = time.monotonic() + timeout
    last: Any = None
    while time.monotonic() < deadline:
        try:
            response = httpx.get(url, timeout=2)
            if response.status_code == status:
                return response
            last = response.status_code
        except httpx.HTTPError as exc:
            last = exc
        time.sleep(0.2)
    raise AssertionError(f"{url} did not answer {status} within {timeout}s (last: {last!r})")
