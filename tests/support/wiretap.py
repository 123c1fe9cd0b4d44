"""A TCP proxy between a service process and its store that can kill the service at an exact write.

`StoreTap` forwards the MongoDB wire protocol both ways unchanged. Armed with a byte pattern (`kill_after(b"...")`),
it watches what the service sends; when a request containing the pattern has been forwarded and the store's reply
to it comes back, the service is SIGKILLed before the reply reaches it. So the write is in the store, and the
service never learns it succeeded and never takes its next step: a crash between two writes, from outside the
process, with no hook in the service's code.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
from collections.abc import AsyncIterator

TAIL = 256  # bytes kept from the previous chunk, so a pattern split across two reads is still seen


class StoreTap:
    def __init__(self, store_host: str, store_port: int) -> None:
        self.store = (store_host, store_port)
        self.port = 0
        self.pid: int | None = None
        self.pattern: bytes | None = None
        self.killed = asyncio.Event()
        self._server: asyncio.Server | None = None
        self._tasks: set[asyncio.Task[None]] = set()

    def kill_after(self, pattern: bytes, pid: int) -> None:
        """SIGKILL `pid` when the store answers the first request that contains `pattern`."""
        self.pattern, self.pid = pattern, pid
        self.killed.clear()

    async def _pump_requests(
        self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter, armed: asyncio.Event
    ) -> None:
        tail = b""
        while data := await reader.read(65536):
            if self.pattern and self.pid and self.pattern in tail + data:
                armed.set()
            tail = data[-TAIL:]
            writer.write(data)
            await writer.drain()
        writer.close()

    async def _pump_replies(
        self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter, armed: asyncio.Event
    ) -> None:
        while data := await reader.read(65536):
            if armed.is_set() and self.pid and not self.killed.is_set():
                os.kill(self.pid, signal.SIGKILL)  # the write is done; the service never sees the reply
                self.pattern = None
                self.killed.set()
                break
            writer.write(data)
            await writer.drain()
        writer.close()

    async def _connection(self, client_r: asyncio.StreamReader, client_w: asyncio.StreamWriter) -> None:
        try:
            store_r, store_w = await asyncio.open_connection(*self.store)
        except OSError:
            client_w.close()
            return
        armed = asyncio.Event()
        pumps = asyncio.gather(
            self._pump_requests(client_r, store_w, armed),
            self._pump_replies(store_r, client_w, armed),
            return_exceptions=True,
        )
        await pumps
        for w in (client_w, store_w):
            with contextlib.suppress(Exception):
                w.close()

    def _track(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.ensure_future(self._connection(reader, writer))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    @contextlib.asynccontextmanager
    async def running(self) -> AsyncIterator[StoreTap]:
        self._server = await asyncio.start_server(self._track, "127.0.0.1", 0)
        self.port = self._server.sockets[0].getsockname()[1]
        try:
            yield self
        finally:
            self._server.close()
            for task in list(self._tasks):
                task.cancel()
            with contextlib.suppress(Exception):
                await asyncio.wait_for(self._server.wait_closed(), 5)
