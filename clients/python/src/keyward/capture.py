"""Provider error capture: the provider's own failures get `err_…` ids its callers can look up.

The id is made here, the answer leaves at once, and the record reaches Keyward in batches from a
background thread. A bounded queue: when Keyward is away the answers still carry their ids, the
records are delivered once it is back, and what overflows is counted in `dropped`.
"""

from __future__ import annotations

import json
import logging
import threading
import time
from collections import deque
from datetime import datetime, timezone
from typing import Any

from ._ids import new_id
from ._transport import Transport
from .errors import KeywardUnavailable
from .principal import Principal
from .problems import TITLES, Answer, problem

CAPTURE_PATH = "/v1/sdk/errors"
MAX_CONTEXT_BYTES = 4096
log = logging.getLogger("keyward")


class ErrorCapture:
    def __init__(
        self,
        url: str,
        token: str,
        *,
        max_queue: int = 10_000,
        batch_size: int = 100,
        flush_interval: float = 0.5,
        timeout: float = 5.0,
    ) -> None:
        self._transport = Transport(url, timeout=timeout)
        self._token = token
        self._queue: deque[dict[str, Any]] = deque()
        self._max_queue = max_queue
        self._batch_size = batch_size
        self._interval = flush_interval
        self._lock = threading.Lock()
        self._wake = threading.Event()
        self._stopped = False
        self.dropped = 0
        self.delivered = 0
        self._sending = False
        self._thread = threading.Thread(target=self._run, name="keyward-error-capture", daemon=True)
        self._thread.start()

    def report(
        self,
        principal: Principal | None,
        *,
        status: int,
        code: str,
        detail: str,
        method: str,
        path: str,
        context: dict[str, Any] | None = None,
        title: str | None = None,
        request_id: str | None = None,
    ) -> str:
        """Queues a record of an error the provider answers with; returns its id for the answer."""
        error_id = new_id("err")
        record: dict[str, Any] = {
            "error_id": error_id,
            "occurred_at": datetime.now(timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z"),
            "token_id": principal.token_id if principal else None,
            "request_id": request_id or error_id,
            "status": status,
            "code": code,
            "title": title or TITLES.get(code, code.replace("_", " ").capitalize()),
            "detail": detail[:2000],
            "method": method[:16],
            "path": path.split("?", 1)[0][:2000],
            "context": _bounded(context or {}),
        }
        with self._lock:
            if len(self._queue) >= self._max_queue:
                self.dropped += 1
            else:
                self._queue.append(record)
        return error_id

    def internal_error(self, error: BaseException, principal: Principal | None, method: str, path: str) -> Answer:
        """The 500 answer for an unhandled exception, recorded under the caller's token."""
        # The exception's type only: its message may carry data the caller must not see.
        context = {"exception": type(error).__name__}
        error_id = self.report(
            principal, status=500, code="INTERNAL", detail="The API failed to answer this request.",
            method=method, path=path, context=context,
        )
        log.error("unhandled exception answered as %s", error_id, exc_info=error)
        return problem(500, "INTERNAL", "The API failed to answer this request.", error_id)

    def flush(self, timeout: float = 5.0) -> bool:
        """Waits until the queue is delivered (True) or `timeout` passes (False)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self._lock:
                if not self._queue and not self._sending:
                    return True
            self._wake.set()
            time.sleep(0.02)
        return False

    def _run(self) -> None:
        backoff = self._interval
        while not self._stopped:
            self._wake.wait(backoff)
            self._wake.clear()
            with self._lock:
                batch = [self._queue.popleft() for _ in range(min(self._batch_size, len(self._queue)))]
                self._sending = bool(batch)
            if not batch:
                continue
            try:
                answer = self._transport.json("POST", CAPTURE_PATH, self._token, {"errors": batch})
                ok = answer.status < 300
                if not ok and 400 <= answer.status < 500 and answer.status != 429:
                    # Refused as malformed or unauthorised: retrying cannot help.
                    log.warning("Keyward refused %d error records: %s", len(batch), answer.status)
                    with self._lock:
                        self.dropped += len(batch)
                    ok = True
                else:
                    with self._lock:
                        self.delivered += len(batch) if ok else 0
            except KeywardUnavailable:
                ok = False
            with self._lock:
                if not ok:
                    self._queue.extendleft(reversed(batch))
                    while len(self._queue) > self._max_queue:
                        self._queue.pop()
                        self.dropped += 1
                self._sending = False
            backoff = self._interval if ok else min(backoff * 2, 30.0)
            if ok and self._queue:
                self._wake.set()

    def close(self) -> None:
        self.flush(2.0)
        self._stopped = True
        self._wake.set()
        self._thread.join(2.0)
        self._transport.close()


def _bounded(context: dict[str, Any]) -> dict[str, Any]:
    text = json.dumps(context, default=str)
    if len(text.encode()) <= MAX_CONTEXT_BYTES:
        return json.loads(text)
    return {"truncated": True, "preview": text.encode()[: MAX_CONTEXT_BYTES - 64].decode("utf-8", "ignore")}
