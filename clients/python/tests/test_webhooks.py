"""A Python receiver verifies Keyward's signed webhook deliveries with `verify_webhook`."""

from __future__ import annotations

import queue
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from keyward import WebhookVerificationError, verify_webhook
from keyward.webhooks import sign_webhook
from keyward_server import KeywardServer, start_keyward


@pytest.fixture(scope="module")
def keyward_with_local_webhooks():
    server = start_keyward({"KEYWARD_WEBHOOK_ALLOW_PRIVATE_TARGETS": "true", "KEYWARD_WEBHOOK_DISPATCH_INTERVAL_MS": "100"})
    yield server
    server.stop()


def receiver() -> tuple[ThreadingHTTPServer, "queue.Queue[tuple[dict[str, str], bytes]]"]:
    received: queue.Queue[tuple[dict[str, str], bytes]] = queue.Queue()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("content-length", "0")))
            received.put(({k.lower(): v for k, v in self.headers.items()}, body))
            self.send_response(204)
            self.end_headers()

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, received


def test_a_delivery_verifies_and_a_tampered_one_does_not(keyward_with_local_webhooks: KeywardServer) -> None:
    keyward = keyward_with_local_webhooks
    http_server, received = receiver()
    try:
        url = f"http://127.0.0.1:{http_server.server_port}/hooks"
        status, endpoint = keyward.call("POST", "/v1/webhooks", keyward.admin_token, {"url": url, "events": ["token.created"]})
        assert status == 201, endpoint
        created = keyward.token("announced", ["instances:read"])
        headers, body = received.get(timeout=30)
        event = verify_webhook(endpoint["secret"], headers, body)
        assert event.type == "token.created" and event.id == headers["webhook-id"]
        assert created["id"] in body.decode()
        assert created["token"] not in body.decode()  # never a secret in a payload
        with pytest.raises(WebhookVerificationError):
            verify_webhook(endpoint["secret"], headers, body.replace(b"token.created", b"token.revoked"))
        with pytest.raises(WebhookVerificationError):
            verify_webhook(endpoint["secret"], headers, body, now=int(headers["webhook-timestamp"]) + 3600)
        forged = {**headers, "webhook-signature": sign_webhook("whsec_" + "QUFBQUFBQUFBQUFBQUFBQQ==", headers["webhook-id"], int(headers["webhook-timestamp"]), body)}
        with pytest.raises(WebhookVerificationError):
            verify_webhook(endpoint["secret"], forged, body)
    finally:
        http_server.shutdown()
