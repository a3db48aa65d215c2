"""Keyward for Python providers: verify callers' tokens, answer refusals, capture errors."""

from .capture import ErrorCapture
from .errors import KeywardApiError, KeywardUnavailable
from .guard import Admitted, Guard
from .management import KeywardClient
from .principal import Principal
from .problems import Answer

__all__ = [
    "Admitted",
    "Answer",
    "ErrorCapture",
    "Guard",
    "KeywardApiError",
    "KeywardClient",
    "KeywardUnavailable",
    "Principal",
]
