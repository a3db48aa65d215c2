"""The local verification cache: admitted answers and the units of their limits leased from Keyward.

Entries are dropped at once by the change stream; the whole cache is dropped whenever trust in it
is lost. A cached answer is used only while it holds leased units (limits stay exact).
"""

from __future__ import annotations

import hashlib
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass, field
from typing import Any

from .allowlist import Network
from .principal import Principal

MAX_AGE_S = 60.0


@dataclass
class Entry:
    principal: Principal
    # Monotonic deadline after which the answer must be asked again (expiry, rotation, max age).
    valid_until: float
    # Leased units and their deadline; `unlimited` needs none.
    units: int = 0
    units_until: float = 0.0
    unlimited: bool = False
    windows: list[dict[str, Any]] = field(default_factory=list)
    # The size of the next lease: grows while units run out before their deadline.
    next_lease: int = 1
    # Whether the token's scopes cover each set of required scopes asked so far.
    covered: dict[tuple[str, ...], bool] = field(default_factory=dict)
    # `RateLimit-Policy` of the windows, built once per lease.
    policy_header: str = ""
    # The token's IP allowlist; empty: any address.
    allowed_ips: tuple[Network, ...] = ()


def cache_key(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class TokenCache:
    def __init__(self, max_entries: int = 10_000) -> None:
        self._entries: OrderedDict[str, Entry] = OrderedDict()
        self._max = max_entries
        self.lock = threading.Lock()
        self.trusted = False
        # Bumped by every change: an answer fetched before it must not be stored.
        self.epoch = 0

    def get(self, key: str) -> Entry | None:
        entry = self._entries.get(key)
        if entry is None:
            return None
        if entry.valid_until <= time.monotonic():
            del self._entries[key]
            return None
        self._entries.move_to_end(key)
        return entry

    def put(self, key: str, entry: Entry, epoch: int) -> None:
        if not self.trusted or epoch != self.epoch:
            return
        self._entries[key] = entry
        self._entries.move_to_end(key)
        while len(self._entries) > self._max:
            self._entries.popitem(last=False)

    def drop_matching(self, change: dict[str, Any]) -> None:
        with self.lock:
            self.epoch += 1
            token_id, owner_id, project_id = change.get("token_id"), change.get("owner_id"), change.get("project_id")
            for key, entry in list(self._entries.items()):
                p = entry.principal
                if (
                    (token_id is not None and p.token_id == token_id)
                    or (project_id is not None and p.project_id == project_id and (owner_id is None or p.owner_id == owner_id))
                    or (project_id is None and owner_id is not None and p.owner_id == owner_id)
                ):
                    del self._entries[key]

    def set_trusted(self, trusted: bool) -> None:
        with self.lock:
            if not trusted or not self.trusted:
                self.epoch += 1
                self._entries.clear()
            self.trusted = trusted

    def __len__(self) -> int:
        return len(self._entries)
