"""The provider's door: one decision per request, answered exactly as Keyward's own doors answer.

The decision is Keyward's gateway door (`GET /v1/authorize`): the caller's token headers go
there unchanged, so parsing, scopes, expiry, revocation, IP rules and rate limits are decided
once, in one place, and a refusal carries an error id Keyward recorded for the caller's token.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Iterable, Mapping, Sequence

from ._ids import new_id
from ._transport import Transport
from .errors import KeywardUnavailable
from .principal import Principal
from .problems import Answer, problem

AUTHORIZE_PATH = "/v1/authorize"
REQUIRED_SCOPES_HEADER = "x-keyward-required-scopes"
# The headers that carry a token to Keyward; nothing else of the caller's request leaves.
TOKEN_HEADERS = ("authorization", "x-api-key")
# Keyward's answer headers that describe the transport, not the decision.
_HOP_HEADERS = {"connection", "keep-alive", "content-length", "date", "x-request-id", "transfer-encoding"}
_IDENTITY_HEADERS = ("x-keyward-token-id", "x-keyward-project-id", "x-keyward-owner", "x-keyward-scopes")


@dataclass(frozen=True)
class Admitted:
    principal: Principal
    # RateLimit headers, for the provider's answer.
    headers: list[tuple[str, str]] = field(default_factory=list)


Decision = Admitted | Answer


def _pairs(headers: Mapping[str, str] | Iterable[tuple[str, str]]) -> Iterable[tuple[str, str]]:
    return headers.items() if isinstance(headers, Mapping) else headers


class Guard:
    """Decides requests for one provider API. Thread-safe; share one per process."""

    def __init__(self, url: str, *, timeout: float = 5.0, forward_client_address: bool = True) -> None:
        self._transport = Transport(url, timeout=timeout)
        self._forward_client_address = forward_client_address

    def authenticate(
        self,
        headers: Mapping[str, str] | Iterable[tuple[str, str]],
        required_scopes: Sequence[str] = (),
        *,
        client_address: str | None = None,
    ) -> Decision:
        asked: dict[str, str] = {}
        for name, value in _pairs(headers):
            lower = name.lower()
            if lower in TOKEN_HEADERS:
                if lower in asked:
                    # Two of one token header: Keyward refuses that shape; send both joined so it can.
                    asked[lower] = f"{asked[lower]}, {value}"
                else:
                    asked[lower] = value
        if required_scopes:
            asked[REQUIRED_SCOPES_HEADER] = " ".join(required_scopes)
        if client_address and self._forward_client_address:
            asked["x-forwarded-for"] = client_address
        try:
            answer = self._transport.request("GET", AUTHORIZE_PATH, headers=asked)
        except KeywardUnavailable:
            return problem(503, "SERVER_BUSY", "The token service cannot be reached; retry shortly.", new_id("err"), retry_after=1)
        relayed = [(k, v) for k, v in answer.headers if k.lower() not in _HOP_HEADERS]
        if answer.status != 200:
            return Answer(answer.status, relayed, answer.body)
        owner_type, _, owner_id = (answer.header("x-keyward-owner") or ":").partition(":")
        principal = Principal(
            token_id=answer.header("x-keyward-token-id") or "",
            project_id=answer.header("x-keyward-project-id") or "",
            owner_type=owner_type,
            owner_id=owner_id,
            scopes=tuple((answer.header("x-keyward-scopes") or "").split()),
        )
        rate_headers = [(k, v) for k, v in relayed if k.lower() not in _IDENTITY_HEADERS]
        return Admitted(principal, rate_headers)

    def close(self) -> None:
        self._transport.close()
