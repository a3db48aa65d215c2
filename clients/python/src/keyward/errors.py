"""Errors the package raises to the provider's own code (never to its callers)."""

from __future__ import annotations

from typing import Any


class KeywardUnavailable(Exception):
    """Keyward could not be reached; the provider's door answers 503 rather than guessing."""


class KeywardApiError(Exception):
    """Keyward answered a management call with a problem (RFC 9457)."""

    def __init__(self, status: int, problem: dict[str, Any] | None) -> None:
        self.status = status
        self.problem = problem or {}
        self.code: str | None = self.problem.get("code")
        self.error_id: str | None = self.problem.get("error_id")
        super().__init__(f"{status} {self.code or ''}: {self.problem.get('detail') or self.problem.get('title') or ''}".strip())
