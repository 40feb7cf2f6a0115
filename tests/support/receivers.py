"""Real local receivers for notifications: an HTTP endpoint and an SMTP server, in threads."""

import email
import hashlib
import hmac
import http.server
import json
import socket
import threading
from datetime import UTC, datetime

from aiosmtpd.controller import Controller


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Receiver:
    """An HTTP server on 127.0.0.1 that records each POST and answers from a script.

    `script` is a list of status codes used in order (the last one repeats); the string "hang"
    holds the answer until the test ends, so the sender's timeout runs out.
    """

    def __init__(self, script=(200,)):
        self.script = list(script)
        self.requests: list[dict] = []
        self.release = threading.Event()
        receiver = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                n = len(receiver.requests)
                receiver.requests.append(
                    {"headers": dict(self.headers), "body": body, "path": self.path}
                )
                answer = receiver.script[min(n, len(receiver.script) - 1)]
                if answer == "hang":
                    receiver.release.wait(30)
                    return
                self.send_response(answer)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.port = self.server.server_address[1]
        self.url = f"http://127.0.0.1:{self.port}/hook"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def events(self) -> list[dict]:
        """The JSON bodies received, in order."""
        return [json.loads(r["body"]) for r in self.requests]

    def close(self) -> None:
        self.release.set()
        self.server.shutdown()
        self.server.server_close()


def verify(secret: str, headers: dict, body: bytes, tolerance: int = 300) -> dict:
    """Check IngestIO-Signature the way a receiver should; the event, or AssertionError."""
    lower = {k.lower(): v for k, v in headers.items()}
    parts = dict(p.split("=", 1) for p in lower["ingestio-signature"].split(","))
    expected = hmac.new(
        secret.encode(), f"{parts['t']}.".encode() + body, hashlib.sha256
    ).hexdigest()
    assert hmac.compare_digest(expected, parts["v1"]), "the signature does not verify"
    assert abs(datetime.now(UTC).timestamp() - int(parts["t"])) < tolerance
    event = json.loads(body)
    assert lower["ingestio-event-id"] == event["id"]
    return event


class MailBox:
    """A real SMTP server (aiosmtpd) on 127.0.0.1 that keeps the messages it receives."""

    def __init__(self, port: int | None = None):
        self.messages: list[email.message.Message] = []
        box = self

        class Handler:
            async def handle_DATA(self, server, session, envelope):
                box.messages.append(email.message_from_bytes(envelope.content))
                return "250 Message accepted"

        self.port = port or free_port()
        self.controller = Controller(Handler(), hostname="127.0.0.1", port=self.port)
        self.controller.start()

    @property
    def url(self) -> str:
        return f"smtp://127.0.0.1:{self.port}"

    def close(self) -> None:
        self.controller.stop()
