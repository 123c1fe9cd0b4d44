"""What both sinks share: a free loopback port and the fault they can be told to answer with."""

from __future__ import annotations

import socket
from dataclasses import dataclass


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class Fault:
    stage: str  # "rcpt" or "data" for mail; "post" for SMS
    code: int
    count: int
    text: str = ""
    sms_code: int | None = None
