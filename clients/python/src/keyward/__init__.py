"""Keyward for Python providers: verify callers' tokens, answer refusals, capture errors."""

from .capture import ErrorCapture
from .errors import KeywardApiError, KeywardUnavailable
from .guard import Admitted, Guard
from .management import KeywardClient
from .principal import Principal
from .problems import Answer
from .webhooks import WebhookEvent, WebhookVerificationError, verify_webhook

__all__ = [
    "Admitted",
    "Answer",
    "ErrorCapture",
    "Guard",
    "KeywardApiError",
    "KeywardClient",
    "KeywardUnavailable",
    "Principal",
    "WebhookEvent",
    "WebhookVerificationError",
    "verify_webhook",
]
