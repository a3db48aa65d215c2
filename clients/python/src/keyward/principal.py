"""Who called: the verified token, as the provider's handlers see it."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Principal:
    token_id: str
    project_id: str
    owner_type: str
    owner_id: str
    scopes: tuple[str, ...]
    # The token's metadata as Keyward keeps it (empty when the gateway door answered alone).
    metadata: dict[str, Any] = field(default_factory=dict, hash=False)

    def has(self, scope: str) -> bool:
        return scope in self.scopes
