"""Real servers standing in for the SMS gateway and the mail server in tests.

``SmsGatewayStandIn`` is an HTTP server (http.server, in a thread) that behaves the way real
SMS gateways that take an idempotency key do: a request whose ``Idempotency-Key`` it has
already accepted is answered 200 again but not delivered a second time. It records every
request it receives and every SMS it delivers, can fail for a while (503) and can hold its
answer (the SMS is delivered, the 2xx not yet sent) so a test can kill the notifier in
between.

``SmtpStandIn`` is aiosmtpd's SMTP server recording what it receives.
"""

from __future__ import annotations

import json
import socket
import threading
from dataclasses import dataclass
from email import message_from_bytes, policy
from email.message import EmailMessage
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from aiosmtpd.controller import Controller


@dataclass(frozen=True)
class Sms:
    key: str
    to: str
    text: str
    sender_id: str
    dlt_template_id: str
    authorization: str


class SmsGatewayStandIn:
    def __init__(self) -> None:
        self.received: list[Sms] = []  # every request
        self.delivered: list[Sms] = []  # one per idempotency key
        self._lock = threading.Lock()
        self._failures_left = 0
        self._failure_status = 503
        self._holding = False
        self._release = threading.Event()
        gateway = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                sms = Sms(
                    key=self.headers.get("Idempotency-Key", ""),
                    to=body["to"],
                    text=body["text"],
                    sender_id=body["sender_id"],
                    dlt_template_id=body["dlt_template_id"],
                    authorization=self.headers.get("Authorization", ""),
                )
                status, hold = gateway._take(sms)
                if hold:
                    gateway._release.wait(timeout=30)
                payload = json.dumps({"status": "accepted" if status < 300 else "error"}).encode()
                try:
                    self.send_response(status)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(payload)))
                    self.end_headers()
                    self.wfile.write(payload)
                except OSError:
                    pass  # the client is gone (killed while we held the answer)

            def log_message(self, *args) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/v1/sms"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def _take(self, sms: Sms) -> tuple[int, bool]:
        with self._lock:
            self.received.append(sms)
            if self._failures_left > 0:
                self._failures_left -= 1
                return self._failure_status, False
            if sms.key and any(d.key == sms.key for d in self.delivered):
                return 200, False  # already delivered: not again
            self.delivered.append(sms)
            return 200, self._holding

    def fail_next(self, times: int, status: int = 503) -> None:
        with self._lock:
            self._failures_left, self._failure_status = times, status

    def hold_answers(self) -> None:
        """Deliver, but keep the 2xx back until ``release()``."""
        self._release.clear()
        self._holding = True

    def release(self) -> None:
        self._holding = False
        self._release.set()

    def delivered_to(self, number: str) -> list[Sms]:
        with self._lock:
            return [s for s in self.delivered if s.to == number]

    def received_for(self, number: str) -> list[Sms]:
        with self._lock:
            return [s for s in self.received if s.to == number]

    def __enter__(self) -> SmsGatewayStandIn:
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.release()
        self.server.shutdown()
        self.server.server_close()


class _Recorder:
    def __init__(self) -> None:
        self.messages: list[tuple[list[str], EmailMessage]] = []
        self.lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope) -> str:
        parsed = message_from_bytes(envelope.original_content, policy=policy.default)
        with self.lock:
            self.messages.append((list(envelope.rcpt_tos), parsed))  # type: ignore[arg-type]
        return "250 OK"


class SmtpStandIn:
    """aiosmtpd on a free port, without TLS or login (the notifier is configured with
    NOTIFIER_SMTP_STARTTLS=0 against it)."""

    def __init__(self) -> None:
        self.recorder = _Recorder()
        self.port = free_port()
        self.controller = Controller(self.recorder, hostname="127.0.0.1", port=self.port)

    def to(self, address: str) -> list[EmailMessage]:
        with self.recorder.lock:
            return [m for rcpts, m in self.recorder.messages if address in rcpts]

    @property
    def messages(self) -> list[EmailMessage]:
        with self.recorder.lock:
            return [m for _, m in self.recorder.messages]

    def __enter__(self) -> SmtpStandIn:
        self.controller.start()
        return self

    def __exit__(self, *exc) -> None:
        self.controller.stop()


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def text_of(email: EmailMessage) -> str:
    return email.get_content()  # type: ignore[no-any-return]
