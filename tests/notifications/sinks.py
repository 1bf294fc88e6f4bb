"""Small real servers for the other end of a transport: a webhook receiver and an SMTP server.

Both run on 127.0.0.1 in a background thread and record what they received.
"""

from __future__ import annotations

import socketserver
import threading
import uuid
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qsl


@dataclass
class ReceivedWebhook:
    """One POST the webhook sink received."""

    url: str  # the full URL as the sender addressed it (what Twilio signs)
    headers: dict[str, str]
    form: dict[str, str]


class WebhookSink:
    """An HTTP server that answers every POST with ``200 <Response/>`` and records it."""

    def __init__(self) -> None:
        self.received: list[ReceivedWebhook] = []
        self._lock = threading.Lock()
        sink = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length).decode()
                host = self.headers.get("Host", "")
                webhook = ReceivedWebhook(
                    url=f"http://{host}{self.path}",
                    headers=dict(self.headers.items()),
                    form=dict(parse_qsl(body, keep_blank_values=True)),
                )
                with sink._lock:
                    sink.received.append(webhook)
                reply = b"<?xml version='1.0' encoding='UTF-8'?><Response/>"
                self.send_response(200)
                self.send_header("Content-Type", "text/xml")
                self.send_header("Content-Length", str(len(reply)))
                self.end_headers()
                self.wfile.write(reply)

            def log_message(self, format: str, *args: object) -> None:
                """Quiet: the test output is not the place for an access log."""

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    def url(self, path: str) -> str:
        """An absolute URL on this sink, e.g. ``sink.url("/hooks/twilio/status?d=1")``."""
        return f"http://127.0.0.1:{self._server.server_address[1]}{path}"

    def start(self) -> WebhookSink:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()


@dataclass
class ReceivedMail:
    """One message the SMTP sink accepted."""

    mail_from: str
    rcpt_to: list[str]
    data: bytes


@dataclass
class SmtpSink:
    """A minimal SMTP server (EHLO, MAIL, RCPT, DATA, RSET, NOOP, QUIT).

    ``refuse`` maps a recipient address to the SMTP reply for its RCPT, e.g.
    ``{"gone@example.org": "550 5.1.1 No such user"}``.
    """

    refuse: dict[str, str] = field(default_factory=dict)
    received: list[ReceivedMail] = field(default_factory=list)

    def __post_init__(self) -> None:
        sink = self

        class Handler(socketserver.StreamRequestHandler):
            def reply(self, line: str) -> None:
                self.wfile.write(line.encode() + b"\r\n")

            def handle(self) -> None:
                self.reply("220 sink.localhost ESMTP test sink")
                mail_from, rcpt_to = "", []
                while line := self.rfile.readline():
                    command = line.decode().strip()
                    verb = command[:4].upper()
                    argument = command.partition(":")[2].strip().strip("<>")
                    if verb == "EHLO":
                        self.reply("250-sink.localhost")
                        self.reply("250-8BITMIME")
                        self.reply("250 SMTPUTF8")
                    elif verb == "HELO":
                        self.reply("250 sink.localhost")
                    elif verb == "MAIL":
                        mail_from, rcpt_to = argument.split()[0] if argument else "", []
                        self.reply("250 2.1.0 OK")
                    elif verb == "RCPT":
                        if argument in sink.refuse:
                            self.reply(sink.refuse[argument])
                        else:
                            rcpt_to.append(argument)
                            self.reply("250 2.1.5 OK")
                    elif verb == "DATA":
                        self.reply("354 End data with <CR><LF>.<CR><LF>")
                        lines = []
                        while (data := self.rfile.readline()) not in (b".\r\n", b""):
                            lines.append(data[1:] if data.startswith(b"..") else data)
                        sink.received.append(ReceivedMail(mail_from, rcpt_to, b"".join(lines)))
                        self.reply(f"250 2.0.0 OK queued as {uuid.uuid4().hex[:12]}")
                    elif verb in ("RSET", "NOOP"):
                        self.reply("250 2.0.0 OK")
                    elif verb == "QUIT":
                        self.reply("221 2.0.0 Bye")
                        return
                    else:
                        self.reply("502 5.5.2 Command not recognised")

        self._server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def port(self) -> int:
        return self._server.server_address[1]

    def start(self) -> SmtpSink:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
