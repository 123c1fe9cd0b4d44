#!/usr/bin/env python3
"""Koonto developer commands. Needs nothing but Python 3.11+; installs the rest (uv, the workspace) itself.

    python3 deploy/local/koonto.py up       # the whole system on its embedded default; Ctrl-C stops it
    python3 deploy/local/koonto.py test     # the test suite (real NATS and a real MongoDB-protocol server)
    python3 deploy/local/koonto.py check    # lint, types, generated contract files
    python3 deploy/local/koonto.py bench    # benchmarks as ratios to raw primitives -> docs/benchmarks.md
"""

from __future__ import annotations

import argparse
import os
import shutil
import signal
import subprocess
import sys
import time
import urllib.request
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


def up(args: argparse.Namespace) -> int:
    sync()
    for folder in ("nats", "store", "mail", "sms"):
        (VAR / folder).mkdir(parents=True, exist_ok=True)
    say("starting NATS, the nx-27017 store, the mail and SMS sinks and the four services (Ctrl-C stops all)")
    command = [str(BIN / "honcho"), "-d", str(ROOT), "-f", str(ROOT / "deploy" / "local" / "Procfile"),
               "-e", str(LOCAL_ENV), "start"]
    honcho = subprocess.Popen(command, cwd=ROOT, env=env_with_venv())

    def forward(signum: int, _frame: object) -> None:
        """Ctrl-C reaches honcho as well in a terminal (it stops everything once, whatever it is sent twice);
        `kill -INT|-TERM <runner>` or a closed terminal reach only this process: pass them on."""
        if honcho.poll() is None:
            honcho.send_signal(signal.SIGINT if signum == signal.SIGINT else signal.SIGTERM)

    for signum in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        signal.signal(signum, forward)  # installed even where the shell started us with SIGINT ignored
    return honcho.wait()


def ready(port: int) -> bool:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/readyz", timeout=2) as response:
            return bool(response.status == 200)
    except OSError:
        return False


def banner(args: argparse.Namespace) -> int:
    """Waits until all four services are ready, then prints where everything is."""
    deadline = time.monotonic() + args.timeout
    pending = dict(SERVICES)
    while pending and time.monotonic() < deadline:
        for name, port in list(pending.items()):
            if ready(port):
                del pending[name]
        time.sleep(0.5)
    if pending:
        say(f"not ready after {args.timeout}s: {', '.join(pending)} (see their output above)")
        return 1
    lines = [
        "",
        "Koonto is running (all four services ready):",
        "  Public pages (intake)        http://127.0.0.1:8001/",
        "  Staff workspace (advisory)   http://127.0.0.1:8002/   sign in: admin@koonto.local / koonto-demo-2026",
        "  Notify (delivery log)        http://127.0.0.1:8003/",
        "  Reports and showcase         http://127.0.0.1:8004/",
        "  Mail and SMS received        http://127.0.0.1:8025/   (files in .var/mail and .var/sms)",
        "  NATS monitoring              http://127.0.0.1:8222/jsz",
        "  Store (nx-27017)             mongodb://127.0.0.1:27017/   (data in .var/store)",
        "",
    ]
    print("\n".join(lines), flush=True)
    if args.exit:
        return 0
    try:
        while True:  # honcho stops everything when one process exits: stay until Ctrl-C
            time.sleep(3600)
    except KeyboardInterrupt:
        return 0


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
    commands.add_parser("up", help="run the whole system locally").set_defaults(func=up)
    test_parser = commands.add_parser("test", help="run the tests (extra arguments go to pytest)")
    test_parser.add_argument("pytest_args", nargs=argparse.REMAINDER)
    test_parser.set_defaults(func=test)
    commands.add_parser("check", help="lint, type-check, generated files").set_defaults(func=check)
    bench_parser = commands.add_parser("bench", help="benchmarks (--quick, --store nx-27017|ferretdb)")
    bench_parser.add_argument("bench_args", nargs=argparse.REMAINDER)
    bench_parser.set_defaults(func=bench)
    banner_parser = commands.add_parser("banner", help=argparse.SUPPRESS)
    banner_parser.add_argument("--timeout", type=float, default=120)
    banner_parser.add_argument("--exit", action="store_true")
    banner_parser.set_defaults(func=banner)
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
