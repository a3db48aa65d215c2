"""Who called: the verified token, as the provider's handlers see it."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Principal:
    token_id: str
    project_id: str
    owner_type: str
    owner_id: str
    scopes: tuple[str, ...]

    def has(self, scope: str) -> bool:
        return scope in self.scopes
