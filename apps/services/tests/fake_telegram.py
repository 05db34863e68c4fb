"""A local fake of the Telegram Bot API's sendMessage, speaking its real JSON, on a free 127.0.0.1 port."""

from __future__ import annotations

import json
import re
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

PATH = re.compile(r"^/bot(?P<token>[^/]+)/sendMessage$")


@dataclass
class FakeTelegram:
    """Accepts one bot token; every accepted message is kept in `messages` (the JSON bodies)."""

    token: str
    base_url: str = ""
    messages: list[dict] = field(default_factory=list)
    next_message_id: int = 1
    server: ThreadingHTTPServer | None = None

    def start(self) -> FakeTelegram:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 (http.server's name)
                length = int(self.headers.get("Content-Length") or 0)
                status, answer = fake.answer(self.path, self.rfile.read(length))
                body = json.dumps(answer).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.base_url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        if self.server:
            self.server.shutdown()
            self.server.server_close()

    def answer(self, path: str, raw: bytes) -> tuple[int, dict]:
        """What Telegram answers: 404 for an unknown method, 401 for a wrong token, 400 without chat or text."""
        match = PATH.match(path)
        if not match:
            return 404, {"ok": False, "error_code": 404, "description": "Not Found"}
        if match["token"] != self.token:
            return 401, {"ok": False, "error_code": 401, "description": "Unauthorized"}
        try:
            body = json.loads(raw or b"{}")
        except ValueError:
            return 400, {"ok": False, "error_code": 400, "description": "Bad Request: can't parse JSON"}
        if not body.get("chat_id"):
            return 400, {"ok": False, "error_code": 400, "description": "Bad Request: chat_id is empty"}
        if not body.get("text"):
            return 400, {"ok": False, "error_code": 400, "description": "Bad Request: message text is empty"}
        self.messages.append(body)
        message_id, self.next_message_id = self.next_message_id, self.next_message_id + 1
        return 200, {"ok": True, "result": {
            "message_id": message_id, "date": 1763766000, "text": body["text"],
            "from": {"id": 7000000001, "is_bot": True, "first_name": "PoG Fund", "username": "pogfund_bot"},
            "chat": {"id": int(body["chat_id"]) if str(body["chat_id"]).lstrip("-").isdigit() else -1001,
                     "title": "PoG Fund alerts", "type": "supergroup"},
        }}  # fmt: skip
