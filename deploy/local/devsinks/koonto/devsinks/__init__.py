"""Local stand-ins for the mail server and the SMS provider, used by the local runner and the tests (never by a
service image: this package lives under deploy/local/).

    python -m koonto.devsinks mail --port 1025 --dir .var/mail
    python -m koonto.devsinks sms --port 8025 --dir .var/sms [--mail-dir .var/mail]

The mail sink (`mail.py`) is a real SMTP server (aiosmtpd) that keeps each message as an `.eml` file a person can
open, plus `index.jsonl`. The SMS sink (`sms.py`) speaks enough of Twilio's Messages API and serves the web page
(`web.py`) of every SMS and mail received. Both can fail on demand: `fail_next(...)` in-process, or
`POST /_faults` on the SMS sink ({"status": 429, "count": 2, "code": 21211}).
"""

from koonto.devsinks.common import Fault, free_port
from koonto.devsinks.mail import MailSink
from koonto.devsinks.sms import SmsSink

__all__ = ["Fault", "MailSink", "SmsSink", "free_port"]
