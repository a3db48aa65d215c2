"""Verifying Keyward's webhooks (the Standard Webhooks scheme).

    event = verify_webhook(SECRET, request.headers, request.get_data())   # Flask
    # answer 400 on WebhookVerificationError and do not act on the body

Pass the raw body exactly as received: re-serialised JSON does not match its signature.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
from dataclasses import dataclass
from typing import Any, Iterable, Mapping


class WebhookVerificationError(Exception):
    pass


@dataclass(frozen=True)
class WebhookEvent:
    # The `webhook-id`: the same on every retry and redelivery; use it to drop duplicates.
    id: str
    type: str
    timestamp: str
    data: dict[str, Any]


def _header(headers: Mapping[str, str] | Iterable[tuple[str, str]], name: str) -> str | None:
    pairs = headers.items() if hasattr(headers, "items") else headers
    return next((v for k, v in pairs if k.lower() == name), None)  # type: ignore[union-attr]


def sign_webhook(secret: str, webhook_id: str, timestamp: int, body: bytes) -> str:
    """`v1,<base64 HMAC-SHA256("id.timestamp.body")>` under the endpoint's `whsec_…` secret."""
    key = base64.b64decode(secret.removeprefix("whsec_"))
    mac = hmac.new(key, f"{webhook_id}.{timestamp}.".encode() + body, hashlib.sha256).digest()
    return "v1," + base64.b64encode(mac).decode()


def verify_webhook(
    secret: str,
    headers: Mapping[str, str] | Iterable[tuple[str, str]],
    body: bytes | str,
    *,
    tolerance_seconds: int = 300,
    now: float | None = None,
) -> WebhookEvent:
    """Checks `webhook-signature` (any of its `v1,` entries) and the timestamp window; returns the event."""
    raw = body.encode() if isinstance(body, str) else body
    webhook_id = _header(headers, "webhook-id")
    stamp = _header(headers, "webhook-timestamp")
    signatures = _header(headers, "webhook-signature")
    if not webhook_id or not stamp or not signatures:
        raise WebhookVerificationError("missing webhook-id, webhook-timestamp or webhook-signature")
    try:
        timestamp = int(stamp)
    except ValueError as error:
        raise WebhookVerificationError("webhook-timestamp is not a number") from error
    current = time.time() if now is None else now
    if abs(current - timestamp) > tolerance_seconds:
        raise WebhookVerificationError("webhook-timestamp is outside the tolerance window")
    expected = sign_webhook(secret, webhook_id, timestamp, raw)
    if not any(hmac.compare_digest(expected, candidate) for candidate in signatures.split(" ") if candidate.startswith("v1,")):
        raise WebhookVerificationError("no signature matches")
    payload = json.loads(raw)
    return WebhookEvent(webhook_id, str(payload.get("type", "")), str(payload.get("timestamp", "")), payload.get("data", {}))
