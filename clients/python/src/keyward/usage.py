"""Usage of tokens admitted in-process, reported to Keyward in batches (`POST /v1/sdk/usage`)."""

from __future__ import annotations

import logging
import threading
import time
from datetime import datetime, timezone

from ._transport import Transport
from .errors import KeywardUnavailable

USAGE_PATH = "/v1/sdk/usage"
MAX_IPS = 5
MAX_TOKENS = 1000
log = logging.getLogger("keyward")


class UsageReporter:
    def __init__(self, transport: Transport, token: str, *, interval: float = 1.0) -> None:
        self._transport = transport
        self._token = token
        self._interval = interval
        self._lock = threading.Lock()
        self._counts: dict[str, dict[str, object]] = {}
        self._stopped = threading.Event()
        self.dropped = 0
        self._thread = threading.Thread(target=self._run, name="keyward-usage", daemon=True)
        self._thread.start()

    def admitted(self, token_id: str, address: str | None) -> None:
        now = time.time()
        with self._lock:
            entry = self._counts.get(token_id)
            if entry is None:
                if len(self._counts) >= MAX_TOKENS:
                    self.dropped += 1
                    return
                entry = self._counts[token_id] = {"valid": 0, "last_used_at": now, "ips": []}
            entry["valid"] = int(entry["valid"]) + 1  # type: ignore[call-overload]
            entry["last_used_at"] = now
            ips = entry["ips"]
            assert isinstance(ips, list)
            if address and address not in ips and len(ips) < MAX_IPS:
                ips.append(address)

    def flush(self) -> None:
        with self._lock:
            counts, self._counts = self._counts, {}
        if not counts:
            return
        entries = [
            {"token_id": token_id, "outcomes": {"VALID": c["valid"]}, "last_used_at": _iso(c["last_used_at"]), "ips": c["ips"]}
            for token_id, c in counts.items()
        ]
        try:
            answer = self._transport.json("POST", USAGE_PATH, self._token, {"entries": entries})
            if answer.status >= 300:
                log.warning("Keyward refused a usage batch: %s", answer.status)
        except KeywardUnavailable:
            with self._lock:
                for token_id, c in counts.items():
                    mine = self._counts.setdefault(token_id, {"valid": 0, "last_used_at": c["last_used_at"], "ips": c["ips"]})
                    mine["valid"] = int(mine["valid"]) + int(c["valid"])  # type: ignore[call-overload]

    def _run(self) -> None:
        while not self._stopped.wait(self._interval):
            self.flush()

    def close(self) -> None:
        self._stopped.set()
        self._thread.join(2.0)
        self.flush()


def _iso(at: object) -> str:
    assert isinstance(at, float)
    return datetime.fromtimestamp(at, timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z")
