"""Ids in Keyward's shape (ADR 0004): a type prefix, 48-bit milliseconds, 80 random bits, Crockford base32."""

from __future__ import annotations

import secrets
import time

_CROCKFORD = "0123456789abcdefghjkmnpqrstvwxyz"


def _encode(value: int, width: int) -> str:
    out = []
    for _ in range(width):
        out.append(_CROCKFORD[value & 31])
        value >>= 5
    return "".join(reversed(out))


def new_id(prefix: str, now_ms: int | None = None) -> str:
    millis = int(time.time() * 1000) if now_ms is None else now_ms
    return f"{prefix}_{_encode(millis, 10)}{_encode(int.from_bytes(secrets.token_bytes(10), 'big'), 16)}"
