"""The local runner (`python3 deploy/local/koonto.py up`) stopped with Ctrl-C: every process ends by itself,
in time, and the console stays readable. Runs a whole second system on free ports and a data folder of its own."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
import psutil
import pytest

from tests.support.servers import free_port

ROOT = Path(__file__).resolve().parents[3]
RUNNER = ROOT / "deploy" / "local" / "koonto.py"
NAMES = ("nats", "nats_monitor", "store", "smtp", "sms", "intake", "advisory", "notify", "reporting")
CHILDREN = {"nats", "store", "mail", "sms", "intake", "advisory", "notify", "reporting"}
STOP_TIMEOUT = 15.0


def read_until(proc: subprocess.Popen[bytes], out: Path, marker: str, timeout: float) -> str:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        text = out.read_text(encoding="utf-8", errors="replace")
        if marker in text:
            return text
        if proc.poll() is not None:
            pytest.fail(f"the runner ended before {marker!r}:\n{text[-4000:]}")
        time.sleep(0.5)
    pytest.fail(f"no {marker!r} after {timeout} s:\n{out.read_text(encoding='utf-8', errors='replace')[-4000:]}")


def alive(process: psutil.Process) -> bool:
    try:
        return bool(process.is_running() and process.status() != psutil.STATUS_ZOMBIE)
    except psutil.NoSuchProcess:
        return False


@pytest.mark.timeout(300)
def test_ctrl_c_stops_every_process_by_itself_in_time_without_noise(tmp_path: Path) -> None:
    ports = {name: free_port() for name in NAMES}
    env = {**os.environ, **{f"KOONTO_LOCAL_{name.upper()}_PORT": str(port) for name, port in ports.items()}}
    out = tmp_path / "console.txt"
    with out.open("wb") as console:
        # its own process group, as a shell gives a foreground job: Ctrl-C is SIGINT to the whole group
        runner = subprocess.Popen(
            [sys.executable, str(RUNNER), "up", "--no-sync", "--var-dir", str(tmp_path / "var"),
             "--stop-timeout", str(STOP_TIMEOUT)],
            cwd=ROOT, env=env, stdout=console, stderr=subprocess.STDOUT, start_new_session=True,
        )
    try:
        read_until(runner, out, "Koonto is running", timeout=180)
        children = psutil.Process(runner.pid).children(recursive=True)
        assert {" ".join(c.cmdline()) for c in children}, "the runner started nothing"
        assert len(children) >= len(CHILDREN)
        # real work first: an idea through intake, advisory and notify to the mail sink and its page
        idea = {
            "organisation": {"name": "Kyläyhdistys Toivala ry", "type": "registered_association",
                             "business_id": "1572860-0", "municipality": "siilinjarvi"},
            "contact": {"name": "Maija Meikäläinen", "email": "maija@example.fi", "language": "fi",
                        "channel": "email"},
            "title": "Kylätalon energiaremontti", "description": "Kuvaus ideasta.", "themes": ["inclusion"],
            "consents": {"privacy_notice": True},
        }
        answer = httpx.post(f"http://127.0.0.1:{ports['intake']}/api/v1/ideas", json=idea, timeout=30)
        assert answer.status_code in (200, 201, 202), answer.text
        reference = answer.json()["reference"]
        deadline = time.monotonic() + 60
        while reference not in httpx.get(f"http://127.0.0.1:{ports['sms']}/", timeout=10).text:
            assert time.monotonic() < deadline, "no receipt in the mail sink after 60 s"
            time.sleep(0.5)
        stopped_at = time.monotonic()
        os.killpg(runner.pid, signal.SIGINT)
        runner.wait(timeout=STOP_TIMEOUT + 10)
        took = time.monotonic() - stopped_at
    finally:
        if runner.poll() is None:
            for child in psutil.Process(runner.pid).children(recursive=True):
                child.kill()
            runner.kill()
    text = out.read_text(encoding="utf-8", errors="replace")
    assert runner.returncode == 0, text[-4000:]
    assert took < STOP_TIMEOUT, f"stopping took {took:.1f} s"
    assert not [c.pid for c in children if alive(c)]
    status_line = next(line for line in text.splitlines() if line.startswith("koonto: exit status: "))
    statuses = dict(item.rsplit(" ", 1) for item in status_line.removeprefix("koonto: exit status: ").split(", "))
    assert statuses == dict.fromkeys(CHILDREN, "0"), status_line  # each ended by itself, none killed or signalled
    noise_lines = ("Traceback", "Task-", "callback for", "SIGKILL", "killed", "staff-updated not emitted", "nx_27017",
                   "HTTP Request:")
    for noise in noise_lines:
        assert noise not in text, f"{noise!r} on the console:\n{text[-4000:]}"
    assert re.search(r"koonto: everything stopped in [0-9.]+ s", text)
    log = (tmp_path / "var" / "log" / "koonto.log").read_text(encoding="utf-8")
    assert "staff-updated not emitted" in log  # the demo admin's warning is kept, in the log file
    assert "Shutting down" in log and "intake" in log
