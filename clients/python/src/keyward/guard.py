"""The provider's door: one decision per request, answered exactly as Keyward's own doors answer.

Without a `verify_token` every request is decided by Keyward's gateway door (one call each).
With one (a token holding `tokens:verify`), admitted tokens are cached in-process: a cached token
with leased units of its limits is admitted with no network call; the change stream drops entries
the moment Keyward changes them, and while the stream is down nothing is answered from the cache.
Refusals are always Keyward's own answers (relayed from the gateway door), error id included:
a cached token lacking a scope, or asked for from outside its IP allowlist, is sent there too.
"""

from __future__ import annotations

import re
import threading
import time
from datetime import datetime
from typing import Any, Iterable, Mapping, Sequence

from ._transport import Transport
from .allowlist import address_allowed, compile_allowlist
from .cache import MAX_AGE_S, Entry, TokenCache, cache_key
from .door import Admitted, Decision, ask_door
from .errors import KeywardUnavailable
from .principal import Principal
from .scopes import missing_scopes
from .stream import ChangeStream
from .usage import UsageReporter

__all__ = ["Admitted", "Decision", "Guard"]

SDK_VERIFY_PATH = "/v1/sdk/verify"
_BEARER = re.compile(r"^Bearer ([A-Za-z0-9\-._~+/]+=*)$", re.IGNORECASE)


def _token_headers(headers: Mapping[str, str] | Iterable[tuple[str, str]]) -> tuple[dict[str, str], str | None]:
    """The token headers to forward, and the token when their shape is the plain one."""
    found: dict[str, str] = {}
    plain = True
    # `items` rather than isinstance(…, Mapping): the ABC check costs more than the rest of a cached answer.
    pairs = headers.items() if hasattr(headers, "items") else headers
    for name, value in pairs:  # type: ignore[union-attr]
        if len(name) not in (9, 13):
            continue
        lower = name.lower()
        if lower == "authorization" or lower == "x-api-key":
            if lower in found:
                plain = False
                found[lower] = f"{found[lower]}, {value}"
            else:
                found[lower] = value
    if not plain or len(found) != 1:
        return found, None
    api_key = found.get("x-api-key")
    if api_key is not None:
        return found, api_key or None
    match = _BEARER.match(found["authorization"])
    return found, match.group(1) if match else None


def _seconds_until(iso: str | None) -> float:
    if not iso:
        return MAX_AGE_S
    return datetime.fromisoformat(iso.replace("Z", "+00:00")).timestamp() - time.time()


class Guard:
    """Decides requests for one provider API. Thread-safe; share one per process."""

    def __init__(
        self,
        url: str,
        *,
        verify_token: str | None = None,
        timeout: float = 5.0,
        max_cached: int = 10_000,
        max_lease: int = 256,
        usage_interval: float = 1.0,
    ) -> None:
        self._transport = Transport(url, timeout=timeout)
        self._verify_token = verify_token
        self._max_lease = max_lease
        self.cache = TokenCache(max_cached)
        self._in_flight: dict[str, threading.Event] = {}
        self.calls = 0
        self._stream: ChangeStream | None = None
        self._usage: UsageReporter | None = None
        if verify_token:
            self._usage = UsageReporter(Transport(url, timeout=timeout), verify_token, interval=usage_interval)
            self._stream = ChangeStream(url, verify_token, on_change=self.cache.drop_matching, on_trust=self.cache.set_trusted)

    def wait_until_cached(self, timeout: float = 10.0) -> bool:
        """True once the change stream is up and the cache may answer (start-up and tests)."""
        deadline = time.monotonic() + timeout
        while not self.cache.trusted and time.monotonic() < deadline:
            time.sleep(0.01)
        return self.cache.trusted

    def authenticate(
        self,
        headers: Mapping[str, str] | Iterable[tuple[str, str]],
        required_scopes: Sequence[str] = (),
        *,
        client_address: str | None = None,
    ) -> Decision:
        token_headers, token = _token_headers(headers)
        if token is not None and self._stream is not None:
            key = cache_key(token)
            for _ in range(3):
                admitted = self._from_cache(key, required_scopes, client_address)
                if isinstance(admitted, Admitted):
                    return admitted
                if admitted == "refuse" or not self.cache.trusted or not self._lease(key, token):
                    break
        self.calls += 1
        return ask_door(self._transport, token_headers, required_scopes, client_address)

    def _from_cache(self, key: str, required: Sequence[str], address: str | None) -> Admitted | str | None:
        """Admitted from the cache; "refuse" when the cached token lacks a scope or may not be used
        from `address`; None when a lease is needed."""
        with self.cache.lock:
            if not self.cache.trusted:
                return None
            entry = self.cache.get(key)
            if entry is None:
                return None
            if entry.allowed_ips and not address_allowed(entry.allowed_ips, address):
                return "refuse"
            asked = tuple(required)
            covered = entry.covered.get(asked)
            if covered is None:
                covered = entry.covered[asked] = not missing_scopes(entry.principal.scopes, asked)
            if not covered:
                return "refuse"
            if not entry.unlimited:
                if entry.units <= 0 or entry.units_until <= time.monotonic():
                    return None
                entry.units -= 1
            headers = _rate_limit_headers(entry)
        assert self._usage is not None
        self._usage.admitted(entry.principal.token_id, address)
        return Admitted(entry.principal, headers)

    def _lease(self, key: str, token: str) -> bool:
        """Asks Keyward for the token and units of its limits (one call for concurrent askers)."""
        with self.cache.lock:
            waiting = self._in_flight.get(key)
            if waiting is None:
                self._in_flight[key] = threading.Event()
                previous = self.cache.get(key)
                epoch = self.cache.epoch
        if waiting is not None:
            waiting.wait(5.0)
            return True
        try:
            return self._fetch(key, token, previous, epoch)
        finally:
            with self.cache.lock:
                self._in_flight.pop(key).set()

    def _fetch(self, key: str, token: str, previous: Entry | None, epoch: int) -> bool:
        units = 1
        if previous is not None and not previous.unlimited:
            # Ran out before the deadline: demand is higher than the last lease; ask for more.
            ran_out = previous.units <= 0 and previous.units_until > time.monotonic()
            units = min(self._max_lease, previous.next_lease * 2) if ran_out else previous.next_lease
        assert self._verify_token is not None
        self.calls += 1
        try:
            answer = self._transport.json("POST", SDK_VERIFY_PATH, self._verify_token, {"token": token, "units": units})
        except KeywardUnavailable:
            return False
        if answer.status != 200:
            return False
        body: dict[str, Any] = answer.json()
        lease = body.get("lease") or {}
        if not body.get("valid") or not (lease.get("unlimited") or lease.get("granted", 0) > 0):
            return False
        now = time.monotonic()
        owner = body.get("owner") or {}
        principal = Principal(
            body["token_id"], body["project_id"], owner.get("type", ""), owner.get("id", ""), tuple(body["scopes"]),
            metadata=body.get("metadata") or {},
        )
        life = min(MAX_AGE_S, _seconds_until(body.get("expires_at")), _seconds_until(body.get("secret_expires_at")))
        entry = Entry(
            principal=principal,
            valid_until=now + life,
            units=int(lease.get("granted", 0)),
            units_until=now + lease.get("expires_in_ms", 0) / 1000,
            unlimited=bool(lease.get("unlimited")),
            windows=[{**w, "at": now} for w in lease.get("windows", [])],
            next_lease=units,
            allowed_ips=compile_allowlist(body.get("allowed_ips") or ()),
        )
        entry.policy_header = ", ".join(f'"{w["name"]}";q={w["limit"]};w={w["window_seconds"]}' for w in entry.windows)
        with self.cache.lock:
            self.cache.put(key, entry, epoch)
            stored = self.cache.get(key) is entry
        return stored

    def close(self) -> None:
        if self._stream is not None:
            self._stream.close()
        if self._usage is not None:
            self._usage.close()
        self._transport.close()


def _rate_limit_headers(entry: Entry) -> list[tuple[str, str]]:
    if not entry.windows:
        return []
    now = time.monotonic()
    state = ", ".join(
        f'"{w["name"]}";r={w["remaining"] + entry.units};t={max(0, int(w["reset_seconds"] - (now - w["at"])))}'
        for w in entry.windows
    )
    return [("RateLimit-Policy", entry.policy_header), ("RateLimit", state)]
