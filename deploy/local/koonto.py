#!/usr/bin/env python3
"""Koonto developer commands. Needs nothing but Python 3.11+; installs the rest (uv, the workspace) itself.

    python3 deploy/local/koonto.py up       # the whole system on its embedded default; Ctrl-C stops it
                                            #   (output also in .var/log/koonto.log; ports: KOONTO_LOCAL_*_PORT)
    python3 deploy/local/koonto.py test     # the test suite (real NATS and a real MongoDB-protocol server)
    python3 deploy/local/koonto.py check    # lint, types, generated contract files
    python3 deploy/local/koonto.py bench    # benchmarks as ratios to raw primitives -> docs/benchmarks.md
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import shutil
import signal
import socket
import string
import subprocess
import sys
import threading
import time
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
VENV = ROOT / ".venv"
BIN = VENV / "bin"
VAR = ROOT / ".var"
SERVICES = {"intake": 8001, "advisory": 8002, "notify": 8003, "reporting": 8004}
LOCAL_ENV = ROOT / "deploy" / "local" / "local.env"


def say(message: str) -> None:
    print(f"koonto: {message}", flush=True)


def uv() -> list[str]:
    """uv from PATH, else from a small bootstrap environment under .var/ (created with pip on first use)."""
    found = shutil.which("uv")
    if found:
        return [found]
    bootstrap = VAR / "bootstrap"
    candidate = bootstrap / "bin" / "uv"
    if not candidate.exists():
        say("installing uv into .var/bootstrap (first run only)")
        subprocess.run([sys.executable, "-m", "venv", str(bootstrap)], check=True)
        subprocess.run([str(bootstrap / "bin" / "python"), "-m", "pip", "install", "--quiet", "uv>=0.5"], check=True)
    return [str(candidate)]


def sync() -> None:
    if sys.version_info < (3, 11):  # noqa: UP036 - this script runs under whatever python3 a user has
        sys.exit("Koonto needs Python 3.11 or newer")
    say("installing the workspace (uv sync)")
    subprocess.run([*uv(), "sync", "--frozen", "--python", sys.executable], cwd=ROOT, check=True)
    build_assets()


def build_assets() -> None:
    """Copy the design system's CSS from npm into the shared static folder, when npm is there (optional)."""
    target = ROOT / "shared" / "koonto" / "shared" / "static" / "vendor"
    if (target / "hds-core.min.css").exists() or shutil.which("npm") is None:
        return
    work = VAR / "npm"
    work.mkdir(parents=True, exist_ok=True)
    try:
        subprocess.run(
            ["npm", "install", "--no-audit", "--no-fund", "--silent", "--prefix", str(work), "hds-core@5"],
            check=True, timeout=180, capture_output=True,
        )
        css = next((work / "node_modules" / "hds-core" / "lib").glob("base.min.css"), None)
        if css:
            target.mkdir(parents=True, exist_ok=True)
            shutil.copy(css, target / "hds-core.min.css")
    except (subprocess.SubprocessError, OSError) as exc:
        say(f"design-system CSS not fetched ({exc.__class__.__name__}); the built-in stylesheet is used")


def env_with_venv(extra: dict[str, str] | None = None) -> dict[str, str]:
    env = dict(os.environ)
    env["PATH"] = f"{BIN}{os.pathsep}{env.get('PATH', '')}"
    env["VIRTUAL_ENV"] = str(VENV)
    env.update(extra or {})
    return env


# -- up: the local system ----------------------------------------------------------------------------------------
# Every port can be moved with KOONTO_LOCAL_<NAME>_PORT (the tests run a second system beside yours that way).
PORTS = {
    "nats": 4222, "nats_monitor": 8222, "store": 27017, "smtp": 1025, "sms": 8025,
    "intake": 8001, "advisory": 8002, "notify": 8003, "reporting": 8004, "oidc": 9400,
}
# `up --sso`: a local OpenID Connect provider (oidc-provider-mock, dev only) with two demo colleagues whose groups
# claim gives their roles, so the workspace's "Sign in with your organisation's account" can be tried
SSO_USERS = [
    {"sub": "neuvoja@koonto.example", "email": "neuvoja@koonto.example", "email_verified": True,
     "name": "Demo Neuvoja", "groups": ["koonto-neuvojat"]},
    {"sub": "koordinaattori@koonto.example", "email": "koordinaattori@koonto.example", "email_verified": True,
     "name": "Demo Koordinaattori", "groups": ["koonto-koordinaattorit", "koonto-neuvojat"]},
]
SSO_ROLE_MAP = {"koonto-neuvojat": "advisor", "koonto-koordinaattorit": "coordinator"}
STOP_TIMEOUT = 15.0  # seconds for everything to stop after Ctrl-C, before anything is killed
# lines of the local run that are expected and say nothing to a developer: the log file keeps them
QUIET = (
    "staff-updated not emitted",  # the demo admin's address (admin@koonto.local) is one no mail can go to
)


@dataclass
class Child:
    """One process of the local system: its command, which of its lines reach the console (all reach the log)."""

    name: str
    argv: list[str]
    group: int  # started in ascending, stopped in descending order: 0 NATS and the store, 1 the sinks, 2 services
    env: dict[str, str] = field(default_factory=dict)
    shown: Callable[[str], bool] = lambda line: not any(quiet in line for quiet in QUIET)
    logged: Callable[[str], bool] = lambda line: True
    popen: subprocess.Popen[bytes] | None = None
    reader: threading.Thread | None = None
    killed: bool = False


def local_ports() -> dict[str, int]:
    return {name: int(os.environ.get(f"KOONTO_LOCAL_{name.upper()}_PORT", port)) for name, port in PORTS.items()}


def local_env(ports: dict[str, int], var: Path) -> dict[str, str]:
    """deploy/local/local.env with its ${KOONTO_LOCAL_*} placeholders filled in, over the caller's environment."""
    values = {f"KOONTO_LOCAL_{name.upper()}_PORT": str(port) for name, port in ports.items()}
    values["KOONTO_LOCAL_VAR"] = str(var)
    env = env_with_venv()
    for line in LOCAL_ENV.read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.lstrip().startswith("#") and "=" in line:
            key, value = line.split("=", 1)
            env[key.strip()] = string.Template(value.strip()).safe_substitute(values)
    return env


def sso_env(ports: dict[str, int]) -> dict[str, str]:
    return {
        "KOONTO_OIDC_ISSUER": f"http://127.0.0.1:{ports['oidc']}",
        "KOONTO_OIDC_CLIENT_ID": "koonto-advisory-local",
        "KOONTO_OIDC_CLIENT_SECRET": "local-only-client-secret",  # the local provider takes any secret
        "KOONTO_OIDC_ROLES_CLAIM": "groups",
        "KOONTO_OIDC_ROLE_MAP": json.dumps(SSO_ROLE_MAP),
    }


def children(ports: dict[str, int], var: Path, sso: bool = False) -> list[Child]:
    python = str(BIN / "python")
    nats_lines = ("[WRN]", "[ERR]", "[FTL]")  # NATS's start-up banner and notices stay in the log
    procs = [
        Child("nats", [str(BIN / "nats-server"), "-a", "127.0.0.1", "-p", str(ports["nats"]), "-m",
                       str(ports["nats_monitor"]), "-js", "-sd", str(var / "nats")], 0,
              shown=lambda line: any(mark in line for mark in nats_lines)),
        # the store's lines (its SQL fallback warnings, its stop) go to the log only, and its line per command
        # only to its own log file
        Child("store", [str(BIN / "nx-27017"), "--host", "127.0.0.1", "-p", str(ports["store"]), "--data-dir",
                        str(var / "store"), "--pid-file", str(var / "store" / "nx-27017.pid"), "--log-file",
                        str(var / "store" / "nx-27017.log")], 0,
              shown=lambda line: False, logged=lambda line: " - INFO - " not in line),
        Child("mail", [python, "-m", "koonto.devsinks", "mail", "--port", str(ports["smtp"]), "--dir",
                       str(var / "mail")], 1),
        Child("sms", [python, "-m", "koonto.devsinks", "sms", "--port", str(ports["sms"]), "--dir", str(var / "sms"),
                      "--mail-dir", str(var / "mail")], 1),
    ]
    if sso:
        users = [arg for user in SSO_USERS for arg in ("--user-claims", json.dumps(user))]
        procs.append(Child("oidc", [python, "-W", "ignore", "-m", "oidc_provider_mock", "--host", "127.0.0.1",
                                    "--port", str(ports["oidc"]), *users], 1))
    for service in SERVICES:
        port = ports[service]
        env = {"KOONTO_HTTP_PORT": str(port), "KOONTO_PUBLIC_BASE_URL": f"http://127.0.0.1:{port}"}
        if sso and service == "advisory":
            env.update(sso_env(ports))
        procs.append(Child(service, [python, "-m", f"koonto.{service}"], 2, env=env))
    return procs


class LocalSystem:
    """Starts the children in order and stops them in reverse order: the services first (while NATS and the store
    are still there to close against), then the sinks, the store and NATS. Each child runs in its own session, so
    a Ctrl-C in the terminal reaches only this runner, which then stops them in that order with SIGTERM."""

    def __init__(self, procs: list[Child], env: dict[str, str], log_path: Path) -> None:
        self.procs = procs
        self.env = env
        self.width = max(len(p.name) for p in procs)
        log_path.parent.mkdir(parents=True, exist_ok=True)
        self.log = log_path.open("a", encoding="utf-8")
        self.lock = threading.Lock()
        self.stop_requested = threading.Event()
        self.force = False

    def line(self, name: str, text: str, *, console: bool = True, logged: bool = True) -> None:
        stamped = f"{time.strftime('%H:%M:%S')} {name.ljust(self.width)} | {text}"
        with self.lock:
            if logged:
                self.log.write(stamped + "\n")
                self.log.flush()
            if console:
                print(stamped, flush=True)

    def _pump(self, proc: Child) -> None:
        assert proc.popen is not None and proc.popen.stdout is not None
        for raw in iter(proc.popen.stdout.readline, b""):
            text = raw.decode("utf-8", "replace").rstrip("\r\n")
            self.line(proc.name, text, console=proc.shown(text), logged=proc.logged(text))

    def start(self, group: int) -> None:
        for proc in (p for p in self.procs if p.group == group):
            proc.popen = subprocess.Popen(
                proc.argv, cwd=ROOT, env={**self.env, **proc.env}, stdin=subprocess.DEVNULL,
                stdout=subprocess.PIPE, stderr=subprocess.STDOUT, start_new_session=True,
            )
            proc.reader = threading.Thread(target=self._pump, args=(proc,), name=f"out-{proc.name}", daemon=True)
            proc.reader.start()

    def exited(self) -> list[Child]:
        return [p for p in self.procs if p.popen is not None and p.popen.poll() is not None]

    def stop(self, timeout: float) -> bool:
        """SIGTERM group by group, services first; whatever has not ended by the deadline is killed (and said so).
        True when every child ended by itself with status 0."""
        deadline = time.monotonic() + timeout
        began = time.monotonic()
        for group in sorted({p.group for p in self.procs}, reverse=True):
            members = [p for p in self.procs if p.group == group and p.popen is not None]
            for proc in members:
                if proc.popen is not None and proc.popen.poll() is None:
                    with contextlib.suppress(ProcessLookupError):
                        os.killpg(proc.popen.pid, signal.SIGTERM)
            for proc in members:
                assert proc.popen is not None
                try:
                    proc.popen.wait(timeout=0 if self.force else max(0.0, deadline - time.monotonic()))
                except subprocess.TimeoutExpired:
                    proc.killed = True
                    with contextlib.suppress(ProcessLookupError):
                        os.killpg(proc.popen.pid, signal.SIGKILL)
                    proc.popen.wait()
                if proc.reader is not None:
                    proc.reader.join(timeout=2)
        statuses = [f"{p.name} {'killed' if p.killed else p.popen.returncode}" for p in self.procs if p.popen]
        say("exit status: " + ", ".join(statuses))
        clean = True
        for proc in self.procs:
            if proc.popen is None:
                continue
            code = proc.popen.returncode
            if proc.killed:
                say(f"{proc.name} killed: it did not stop within {timeout:g} s (its output: {self.log.name})")
            elif code != 0:
                say(f"{proc.name} ended with status {code} (its output: {self.log.name})")
            clean = clean and code == 0 and not proc.killed
        say(f"everything stopped in {time.monotonic() - began:.1f} s" if clean else "stopped, not all cleanly")
        return clean


def wait_for_port(port: int, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), timeout=1):
            return True
        time.sleep(0.2)
    return False


def up(args: argparse.Namespace) -> int:
    if not args.no_sync:
        sync()
    var = Path(args.var_dir or os.environ.get("KOONTO_LOCAL_VAR") or VAR).resolve()
    ports = local_ports()
    for folder in ("nats", "store", "mail", "sms", "log"):
        (var / folder).mkdir(parents=True, exist_ok=True)
    system = LocalSystem(children(ports, var, sso=args.sso), local_env(ports, var), var / "log" / "koonto.log")

    def on_signal(signum: int, _frame: object) -> None:
        if system.stop_requested.is_set():
            system.force = True  # a second Ctrl-C: stop waiting
            say("stopping without waiting (what has not ended is killed)")
        system.stop_requested.set()

    for signum in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        signal.signal(signum, on_signal)  # installed even where the shell started us with SIGINT ignored
    say(f"starting NATS, the store, the mail and SMS sinks and the four services (Ctrl-C stops all; "
        f"everything they print is also in {system.log.name})")
    system.start(0)
    if not (wait_for_port(ports["nats"], 30) and wait_for_port(ports["store"], 30)):
        say(f"NATS or the store did not start (see {system.log.name})")
        system.stop(args.stop_timeout)
        return 1
    system.start(1)
    system.start(2)
    threading.Thread(target=banner, args=(system, ports, var, args.sso), name="banner", daemon=True).start()
    while not system.stop_requested.wait(0.5):
        if ended := system.exited():
            names = ", ".join(f"{p.name} (status {p.popen.returncode if p.popen else '?'})" for p in ended)
            say(f"{names} ended on its own: stopping everything")
            system.stop(args.stop_timeout)
            return 1
    say("stopping: the services first, then the sinks, the store and NATS")
    return 0 if system.stop(args.stop_timeout) else 1


def ready(port: int) -> bool:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/readyz", timeout=2) as response:
            return bool(response.status == 200)
    except OSError:
        return False


def banner(system: LocalSystem, ports: dict[str, int], var: Path, sso: bool = False, timeout: float = 120) -> None:
    """Waits until all four services are ready, then prints where everything is."""
    deadline = time.monotonic() + timeout
    pending = {name: ports[name] for name in SERVICES}
    while pending and time.monotonic() < deadline and not system.stop_requested.is_set():
        for name, port in list(pending.items()):
            if ready(port):
                del pending[name]
        time.sleep(0.5)
    if system.stop_requested.is_set():
        return
    if pending:
        say(f"not ready after {timeout:g} s: {', '.join(pending)} (see their output above)")
        return
    url = "http://127.0.0.1:{}/".format
    lines = [
        "",
        "Koonto is running (all four services ready):",
        f"  Public pages (intake)        {url(ports['intake'])}",
        f"  Staff workspace (advisory)   {url(ports['advisory'])}   sign in: admin@koonto.local / koonto-demo-2026",
        f"  Notify (delivery log)        {url(ports['notify'])}",
        f"  Reports and showcase         {url(ports['reporting'])}",
        f"  Mail and SMS received        {url(ports['sms'])}   (files in {var / 'mail'} and {var / 'sms'})",
        f"  NATS monitoring              http://127.0.0.1:{ports['nats_monitor']}/jsz",
        f"  Store (nx-27017)             mongodb://127.0.0.1:{ports['store']}/   (data in {var / 'store'})",
        f"  Log of everything            {system.log.name}",
        "",
    ]
    if sso:
        lines[-1:-1] = [f"  Identity provider (--sso)    {url(ports['oidc'])}   demo users: "
                        + ", ".join(str(u["sub"]) for u in SSO_USERS)]
    with system.lock:
        print("\n".join(lines), flush=True)


def test(args: argparse.Namespace) -> int:
    sync()
    command = [str(BIN / "pytest"), *args.pytest_args]
    say("running: " + " ".join(["pytest", *args.pytest_args]))
    return subprocess.call(command, cwd=ROOT, env=env_with_venv())


def check(args: argparse.Namespace) -> int:
    sync()
    env = env_with_venv()
    steps = [
        [str(BIN / "ruff"), "check", "."],
        [str(BIN / "mypy"), "shared/koonto", "services/intake/koonto", "services/advisory/koonto",
         "services/notify/koonto", "services/reporting/koonto"],
        [str(BIN / "koonto-contracts"), "--check"],
    ]
    for step in steps:
        say("running: " + " ".join(Path(step[0]).name if i == 0 else s for i, s in enumerate(step)))
        if subprocess.call(step, cwd=ROOT, env=env) != 0:
            return 1
    return 0


def bench(args: argparse.Namespace) -> int:
    sync()
    return subprocess.call([str(BIN / "python"), "-m", "bench.run", *args.bench_args], cwd=ROOT, env=env_with_venv())


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    commands = parser.add_subparsers(dest="command", required=True)
    up_parser = commands.add_parser("up", help="run the whole system locally (Ctrl-C stops it)")
    up_parser.add_argument("--var-dir", help="where the data and the log live (default: .var/ at the top)")
    up_parser.add_argument("--stop-timeout", type=float, default=STOP_TIMEOUT,
                           help=f"seconds to stop everything after Ctrl-C before killing (default {STOP_TIMEOUT:g})")
    up_parser.add_argument("--no-sync", action="store_true", help="skip `uv sync` (the workspace is installed)")
    up_parser.add_argument("--sso", action="store_true",
                           help="also start a local OpenID Connect provider and offer single sign-on in the workspace")
    up_parser.set_defaults(func=up)
    test_parser = commands.add_parser("test", help="run the tests (extra arguments go to pytest)")
    test_parser.add_argument("pytest_args", nargs=argparse.REMAINDER)
    test_parser.set_defaults(func=test)
    commands.add_parser("check", help="lint, type-check, generated files").set_defaults(func=check)
    bench_parser = commands.add_parser("bench", help="benchmarks (--quick, --store nx-27017|ferretdb)")
    bench_parser.add_argument("bench_args", nargs=argparse.REMAINDER)
    bench_parser.set_defaults(func=bench)
    # options meant for pytest or the benchmark (`test -m unit`, `bench --scale smoke`) pass through untouched
    args, passthrough = parser.parse_known_args()
    if args.command == "test":
        args.pytest_args = [*passthrough, *args.pytest_args]
    elif args.command == "bench":
        args.bench_args = [*passthrough, *args.bench_args]
    elif passthrough:
        parser.error(f"unrecognized arguments: {' '.join(passthrough)}")
    return int(args.func(args))


if __name__ == "__main__":
    sys.exit(main())
