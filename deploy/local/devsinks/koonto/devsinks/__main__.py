"""`python -m koonto.devsinks mail|sms ...`: one sink in the foreground until SIGINT or SIGTERM (then exit 0)."""

from __future__ import annotations

import argparse
import signal
import threading
from pathlib import Path
from types import FrameType

from koonto.devsinks import MailSink, SmsSink


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m koonto.devsinks", description=__doc__)
    parser.add_argument("kind", choices=["mail", "sms"])
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--dir", type=Path, required=True)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--mail-dir", type=Path, default=None, help="the mail sink's folder, shown on the SMS page")
    args = parser.parse_args(argv)
    args.dir.mkdir(parents=True, exist_ok=True)
    stop = threading.Event()

    def stop_on(signum: int, _frame: FrameType | None) -> None:
        stop.set()

    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, stop_on)
    sink: MailSink | SmsSink
    if args.kind == "mail":
        sink = MailSink(args.dir, host=args.host, port=args.port).start()
        print(f"mail sink: smtp://{args.host}:{args.port} -> {args.dir}", flush=True)
    else:
        mail_dir = args.mail_dir or args.dir.parent / "mail"
        sink = SmsSink(args.dir, host=args.host, port=args.port, mail_dir=mail_dir).start()
        print(f"SMS sink: http://{args.host}:{args.port} -> {args.dir} (received messages at /)", flush=True)
    try:
        stop.wait()
    finally:
        sink.stop()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
