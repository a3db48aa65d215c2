"""Keyward's change stream (`GET /v1/sdk/changes`, server-sent events) on a background thread.

While the stream is not connected and ready, or says the node it reaches cannot trust its own
cache, the local cache answers nothing: every request is decided by Keyward.
"""

from __future__ import annotations

import http.client
import json
import logging
import threading
import time
from typing import Any, Callable
from urllib.parse import urlsplit

CHANGES_PATH = "/v1/sdk/changes"
# Keyward sends a ping every 5 s: three missed and the stream is taken for dead.
READ_TIMEOUT_S = 16.0
log = logging.getLogger("keyward")


class ChangeStream:
    def __init__(
        self,
        url: str,
        token: str,
        *,
        on_change: Callable[[dict[str, Any]], None],
        on_trust: Callable[[bool], None],
    ) -> None:
        parts = urlsplit(url)
        self._https = parts.scheme == "https"
        self._host = parts.hostname or "127.0.0.1"
        self._port = parts.port
        self._path = parts.path.rstrip("/") + CHANGES_PATH
        self._token = token
        self._on_change = on_change
        self._on_trust = on_trust
        self._stopped = threading.Event()
        self._connection: http.client.HTTPConnection | None = None
        self.connects = 0
        self._thread = threading.Thread(target=self._run, name="keyward-change-stream", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        backoff = 0.1
        while not self._stopped.is_set():
            started = time.monotonic()
            try:
                self._listen()
            except Exception as error:  # any failure: distrust, then reconnect
                if not self._stopped.is_set():
                    log.warning("Keyward change stream lost (%s); verifying every request remotely", error)
            self._on_trust(False)
            if self._stopped.is_set():
                return
            if time.monotonic() - started > 30:
                backoff = 0.1
            self._stopped.wait(backoff)
            backoff = min(backoff * 2, 5.0)

    def _listen(self) -> None:
        kind = http.client.HTTPSConnection if self._https else http.client.HTTPConnection
        connection = kind(self._host, self._port, timeout=READ_TIMEOUT_S)
        self._connection = connection
        try:
            connection.request("GET", self._path, headers={"authorization": f"Bearer {self._token}", "accept": "text/event-stream"})
            answer = connection.getresponse()
            if answer.status != 200:
                raise ConnectionError(f"answered {answer.status}")
            self.connects += 1
            event, data = "message", ""
            while not self._stopped.is_set():
                raw = answer.fp.readline()
                if not raw:
                    raise ConnectionError("closed by Keyward")
                line = raw.decode("utf-8").rstrip("\r\n")
                if line == "":
                    self._dispatch(event, data)
                    event, data = "message", ""
                elif line.startswith(":"):
                    continue
                elif line.startswith("event:"):
                    event = line[6:].strip()
                elif line.startswith("data:"):
                    data += line[5:].strip()
        finally:
            connection.close()

    def _dispatch(self, event: str, data: str) -> None:
        body = json.loads(data) if data else {}
        if event in ("ready", "trust"):
            self._on_trust(bool(body.get("trusted")))
        elif event == "change":
            self._on_change(body)
        elif event == "resync":
            self._on_trust(False)
            self._on_trust(True)

    def close(self) -> None:
        self._stopped.set()
        if self._connection is not None and self._connection.sock is not None:
            try:
                self._connection.sock.shutdown(2)
            except OSError:
                pass
        self._thread.join(2.0)
